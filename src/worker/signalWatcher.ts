import { SignalsSchema } from "../protocol/signals.js";
import { readJsonBlob } from "../storage/jsonBlob.js";
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

  constructor(
    private readonly blobs: BlobStore,
    private readonly pathOf: (workflowId: string) => string,
    private readonly intervalMs = 5000,
    private readonly warn: (why: string) => void = () => {},
  ) {}

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
        const signals = await readJsonBlob(this.blobs, this.pathOf(id), SignalsSchema).catch(
          (e: unknown) => {
            this.warn(`signals of workflow ${id}: ${toError(e).message}`);
            return undefined;
          },
        );
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
