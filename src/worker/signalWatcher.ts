import { type Signals, SignalsSchema } from "../protocol/signals.js";
import { readJsonBlob } from "../storage/jsonBlob.js";
import type { Layout } from "../storage/layout.js";
import type { BlobStore } from "../storage/ports.js";
import { toError } from "../toError.js";

interface Watch {
  readonly task: string;
  readonly attempt: number;
  readonly abort: (reason: string) => void;
}

/**
 * Polls the signals blob of every workflow with a running task, one read per workflow per
 * interval whatever the number of its tasks here, and aborts the tasks that were cancelled or
 * asked to die (a stale attempt).
 */

export class SignalWatcher {
  private readonly watches = new Map<string, Map<Watch, string>>();
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Recent pre-launch reads, so a burst of one workflow's tasks costs one read. */
  private readonly recent = new Map<string, { at: number; verdict: Promise<Signals | "gone"> }>();

  constructor(
    private readonly blobs: BlobStore,
    private readonly names: Pick<Layout, "signalsBlob" | "headBlob" | "workflowPrefix">,
    private readonly intervalMs = 5000,
    private readonly warn: (why: string) => void = () => {},
    private readonly freshMs = 1000,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Why an attempt must not start, or undefined when it may: its workflow was cancelled or
   * purged, or the attempt was superseded. Checked before a command is launched, so a
   * cancelled task's side effects never happen; a cancel landing after this check is caught by
   * the poll while it runs. Reads are shared for `freshMs` per workflow.
   */
  async vetoed(workflowId: string, task: string, attempt: number): Promise<string | undefined> {
    const now = this.clock();
    let hit = this.recent.get(workflowId);
    if (!hit || now - hit.at > this.freshMs) {
      hit = { at: now, verdict: this.current(workflowId) };
      this.recent.set(workflowId, hit);
      if (this.recent.size > 1000) this.recent.delete(this.recent.keys().next().value!);
    }
    let signals: Signals | "gone";
    try {
      signals = await hit.verdict;
    } catch {
      this.recent.delete(workflowId);
      return undefined; // unreadable now: run it, the poll watches it while it runs
    }
    if (signals === "gone") return "the workflow no longer exists (purged)";
    if (signals.cancelled)
      return `the workflow was cancelled${signals.reason ? `: ${signals.reason}` : ""}`;
    if (signals.kill.includes(`${task}#${attempt}`)) return "the attempt was superseded";
    return undefined;
  }

  /**
   * One listing of the workflow's folder answers the usual case (head there, no signals yet: run
   * it) and a purge (no head); only a workflow with signals costs a read as well.
   */
  private async current(workflowId: string): Promise<Signals | "gone"> {
    const names = new Set(await this.blobs.listTop(this.names.workflowPrefix(workflowId)));
    if (!names.has(this.names.headBlob(workflowId))) return "gone";
    const none = { cancelled: false, kill: [] };
    if (!names.has(this.names.signalsBlob(workflowId))) return none;
    return (await this.read(workflowId)) ?? none;
  }

  private read(workflowId: string): Promise<Signals | null> {
    return readJsonBlob(this.blobs, this.names.signalsBlob(workflowId), SignalsSchema);
  }

  /** Watches one running attempt; call the returned function when it ends. */
  watch(workflowId: string, w: Watch): () => void {
    const set = this.watches.get(workflowId) ?? new Map<Watch, string>();
    set.set(w, `${w.task}#${w.attempt}`);
    this.watches.set(workflowId, set);
    this.timer ??= setInterval(() => void this.poll(), this.intervalMs);
    return () => {
      set.delete(w);
      if (set.size === 0) this.watches.delete(workflowId);
      if (this.watches.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  async poll(): Promise<void> {
    await Promise.all(
      [...this.watches].map(async ([id, set]) => {
        // A read error or an invalid blob: act on nothing, and look again next time.
        const signals = await this.read(id).catch((e: unknown) => {
          this.warn(`signals of workflow ${id}: ${toError(e).message}`);
          return undefined;
        });
        if (signals === undefined) return;
        const kill = new Set(signals?.kill ?? []);
        for (const [w, key] of set) {
          if (signals?.cancelled)
            w.abort(`workflow cancelled${signals.reason ? `: ${signals.reason}` : ""}`);
          else if (kill.has(key)) w.abort("attempt superseded");
        }
      }),
    );
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
