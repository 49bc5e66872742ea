import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { Json } from "../core/index.js";
import type { Telemetry } from "../observability/telemetry.js";
import {
  type Completion,
  type OutputRef,
  type TaskMessage,
  TaskMessageSchema,
} from "../protocol/messages.js";
import { parseQueuePayload } from "../protocol/queuePayload.js";
import type { Layout } from "../storage/layout.js";
import type { BlobStore, QueueStore } from "../storage/ports.js";
import { toError } from "../toError.js";
import { AttemptLog, DEFAULT_LOG_LIMITS, type LogLimits } from "./attemptLog.js";
import { CompletionSender } from "./completionSender.js";
import { blobLogTarget } from "./logTargets.js";
import { takeTasks } from "./packedDelivery.js";
import { retrying } from "./retry.js";
import { runShellTask } from "./shellTask.js";
import { SignalWatcher } from "./signalWatcher.js";
import { resolveInputs, resolveMapItem, resolveParentStates } from "./taskInputs.js";
import type { Delivery, TaskSource } from "./taskSource.js";

export interface WorkerOptions {
  readonly concurrency: number;
  /** How long a received message stays hidden; renewed every third of it while the task runs. */
  readonly visibilityS: number;
  /** Outputs larger than this go to a blob and travel as a reference. */
  readonly inlineOutputBytes: number;
  readonly pollMaxMs: number;
  readonly signalPollMs: number;
  /** On shutdown, how long running tasks may go on before they are killed and given back. */
  readonly shutdownGraceMs: number;
  readonly id: string;
  /** Variables of the worker's environment tasks may see beyond the defaults. */
  readonly passEnv: readonly string[];
  /** How much of each attempt's stdout and stderr goes to its log blob; null: no logs. */
  readonly logs: LogLimits | null;
}

/** The longest a free slot waits for others, so that a whole pack can be taken (see run). */
const PACK_WAIT_MS = 100;
/** After a task ends, the next poll of an idle worker comes this soon (see pollPause). */
const LOOK_AGAIN_MS = 50;

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  concurrency: 4,
  visibilityS: 60,
  inlineOutputBytes: 16 * 1024,
  pollMaxMs: 2000,
  signalPollMs: 5000,
  shutdownGraceMs: 30_000,
  id: `${hostname()}:${process.pid}`,
  passEnv: [],
  logs: DEFAULT_LOG_LIMITS,
};

export interface WorkerDeps {
  readonly source: TaskSource;
  readonly queues: QueueStore;
  readonly blobs: BlobStore;
  readonly names: Layout;
  readonly telemetry: Telemetry;
}

/**
 * `dagq worker`: pulls task messages, runs each as a shell command with bounded concurrency,
 * and reports `started` and then `completed` or `failed` on the completion queue. A task
 * message is deleted only after its completion is on the completion queue, so a worker that
 * dies mid-task loses nothing: the message reappears when its invisibility lapses and another
 * worker runs the same attempt again.
 */
export class Worker {
  private running = 0;
  private stopping = false;
  private readonly active = new Map<Delivery, AbortController>();
  /** Finished tasks whose completion is being sent and message deleted (they hold no slot). */
  private readonly settling = new Set<Promise<void>>();
  private readonly sender: CompletionSender;
  private readonly signals: SignalWatcher;
  private readonly retry;
  /** Set while the run loop waits: called when a task ends, or when the worker stops. */
  private idle: ((why: "ended" | "stop") => void) | null = null;
  /** Tasks per message lately received: the coordinator packs several into one (taskPack.ts). */
  private packSeen = 1;
  readonly stats = { started: 0, completed: 0, failed: 0, poisoned: 0, dropped: 0 };

  /** Tasks running now (their commands launched or about to be). */
  get runningTasks(): number {
    return this.running;
  }

  constructor(
    private readonly deps: WorkerDeps,
    private readonly opts: WorkerOptions = DEFAULT_WORKER_OPTIONS,
  ) {
    const log = (msg: string) => deps.telemetry.log("warn", msg);
    this.retry = retrying({ attempts: 8, baseMs: 200, maxMs: 10_000, log });
    this.sender = new CompletionSender(
      deps.queues,
      deps.names.completionQueue,
      // Linger only while other tasks run: their reports may join this one's message.
      { lingerMs: 100, maxBatch: 100, lingerWhile: () => this.running > 0 },
      this.retry,
    );
    this.signals = new SignalWatcher(deps.blobs, deps.names, opts.signalPollMs, log);
  }

  /** Runs until `signal` aborts, then shuts down gracefully. */
  async run(signal: AbortSignal): Promise<void> {
    let backoff = 50;
    let partialSince: number | null = null;
    signal.addEventListener("abort", () => void this.wake("stop"), { once: true });
    while (!signal.aborted) {
      if (this.running >= this.opts.concurrency) {
        await new Promise<void>((r) => (this.idle = () => r()));
        continue;
      }
      const free = this.opts.concurrency - this.running;
      // Fewer free slots than a pack holds: the rest would be sent back (a request, and a
      // message more in the queue). Tasks running now may free theirs in a moment, so wait a
      // little for room for a whole pack; a slot idles at most PACK_WAIT_MS for it.
      if (free < this.packSeen && this.running > 0) {
        partialSince ??= Date.now();
        const left = partialSince + PACK_WAIT_MS - Date.now();
        if (left > 0) {
          await this.slotFreed(left);
          continue;
        }
      }
      partialSince = null;
      let got: Delivery[] = [];
      try {
        // Packs of `packSeen` tasks: so many messages fill the free slots.
        got = await this.deps.source.receive(
          Math.ceil(free / this.packSeen),
          this.opts.visibilityS,
        );
      } catch (e) {
        this.deps.telemetry.log(
          "warn",
          `receiving from ${this.deps.source.name} failed: ${String(e)}`,
        );
      }
      if (signal.aborted) {
        await Promise.all(got.map((d) => d.abandon().catch(() => {})));
        break;
      }
      const { tasks, largestPack } = await takeTasks(
        got,
        free,
        (text) => this.deps.source.requeue(text),
        (why) => this.deps.telemetry.log("warn", why),
      );
      if (largestPack > 0) this.packSeen = largestPack;
      for (const d of tasks) void this.handle(d);
      backoff = got.length > 0 ? 50 : Math.min(backoff * 2, this.opts.pollMaxMs);
      if (got.length === 0 && (await this.pollPause(backoff))) backoff = LOOK_AGAIN_MS / 2;
    }
    await this.shutdown();
  }

  /** Until a running task frees its slot (or shutdown begins), at most `ms`. */
  private slotFreed(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.idle = done;
    });
  }

  /**
   * The pause after an empty poll, cut short when a task ends: its report may make its
   * children ready in a moment (a chain's next hop), so the next look comes LOOK_AGAIN_MS
   * later, and the back-off starts over (true: so it was). Without it, a worker whose last poll found nothing
   * sleeps up to `pollMaxMs` while the next task of a chain waits for it.
   */
  private pollPause(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let t = setTimeout(done, ms);
      const end = Date.now() + ms;
      let cut = false;
      function done() {
        clearTimeout(t);
        resolve(cut);
      }
      const onWake = (why: "ended" | "stop") => {
        if (why === "stop") return done();
        cut = true;
        clearTimeout(t);
        t = setTimeout(done, Math.min(LOOK_AGAIN_MS, Math.max(0, end - Date.now())));
        this.idle = onWake;
      };
      this.idle = onWake;
    });
  }

  private wake(why: "ended" | "stop"): void {
    const idle = this.idle;
    this.idle = null;
    idle?.(why);
  }

  /**
   * Runs one task. Its slot is freed as soon as the command is done: sending the completion and
   * deleting the message need no slot, and a slot held through them (up to the completion
   * linger and two round trips) would keep the next task waiting. The message stays hidden
   * (renewed) until it is deleted.
   */
  private async handle(d: Delivery): Promise<void> {
    this.running++;
    const abort = new AbortController();
    this.active.set(d, abort);
    const renew = setInterval(
      () => void d.extend(this.opts.visibilityS).catch(() => {}),
      (this.opts.visibilityS * 1000) / 3,
    );
    let report: Completion | null = null;
    try {
      const msg = this.parse(d);
      if (!msg) return;
      const veto = await this.signals.vetoed(msg.workflow_id, msg.task, msg.attempt);
      if (veto !== undefined) {
        this.stats.dropped++;
        this.deps.telemetry.log(
          "info",
          `not running ${msg.workflow_id} ${msg.task} attempt ${msg.attempt}: ${veto}`,
        );
        await this.retry("delete task message", () => d.complete());
        return;
      }
      const completion = await this.execute(msg, abort);
      if (this.stopping && abort.signal.aborted) {
        await d.abandon(); // shutdown: another worker runs it
        return;
      }
      report = completion;
    } catch (e) {
      this.deps.telemetry.log("error", `task message: ${String(e)}`);
    } finally {
      this.active.delete(d);
      this.running--;
      if (report === null) clearInterval(renew);
      else this.settle(d, report, renew);
      this.wake("ended");
    }
  }

  /** Sends the completion, then deletes the task message (only then: nothing is lost). */
  private settle(d: Delivery, completion: Completion, renew: ReturnType<typeof setInterval>) {
    const settled = (async () => {
      try {
        await this.sender.send(completion);
        await this.retry("delete task message", () => d.complete());
      } catch (e) {
        this.deps.telemetry.log("error", `task message: ${String(e)}`);
      } finally {
        clearInterval(renew);
      }
    })();
    this.settling.add(settled);
    void settled.finally(() => this.settling.delete(settled));
  }

  private parse(d: Delivery): TaskMessage | null {
    const parsed = parseQueuePayload(d.text, TaskMessageSchema);
    if (parsed.ok) return parsed.value;
    this.stats.poisoned++;
    const { reason } = parsed;
    void this.retry("set a malformed task message aside", () => d.poison(reason)).catch(
      (e: unknown) =>
        this.deps.telemetry.log(
          "error",
          `could not set a malformed task message aside: ${String(e)}`,
        ),
    );
    this.deps.telemetry.log(
      "warn",
      `malformed task message from ${this.deps.source.name} set aside (poison queue / dead letter): ${reason.slice(0, 200)}`,
    );
    return null;
  }

  private async execute(msg: TaskMessage, abort: AbortController): Promise<Completion> {
    const base = {
      workflow_id: msg.workflow_id,
      task: msg.task,
      attempt: msg.attempt,
      worker: this.opts.id,
    };
    let inputs: Record<string, Json>;
    let parentStates: Record<string, string> | undefined;
    let mapItem: { index: number; item: Json } | undefined;
    try {
      inputs = await this.retry("read inputs", () => resolveInputs(msg, this.deps.blobs));
      parentStates = await this.retry("read parent states", () =>
        resolveParentStates(msg, this.deps.blobs),
      );
      mapItem = await this.retry("read map item", () => resolveMapItem(msg, this.deps.blobs));
    } catch (e) {
      return { kind: "failed", ...base, error: `could not read inputs: ${toError(e).message}` };
    }
    const stopWatching = this.signals.watch(msg.workflow_id, {
      task: msg.task,
      attempt: msg.attempt,
      abort: (why) => abort.abort(why),
    });
    const log = this.attemptLog(msg);
    let startedAt = Date.now();
    try {
      const result = await runShellTask({
        command: msg.command,
        env: msg.env,
        inputs,
        ...(parentStates === undefined ? {} : { parentStates }),
        ...(msg.params ? { params: msg.params } : {}),
        ...(mapItem ? { mapItem } : {}),
        workflowId: msg.workflow_id,
        task: msg.task,
        attempt: msg.attempt,
        timeoutS: msg.timeout_s,
        signal: abort.signal,
        passEnv: this.opts.passEnv,
        ...(log ? { onLog: (stream, chunk) => log.write(stream, chunk) } : {}),
        onSpawn: (_pid, at) => {
          this.stats.started++;
          startedAt = at;
          void this.sender.send({ kind: "started", ...base, at: startedAt }).catch(() => {});
        },
      });
      const finishedAt = Date.now();
      const logged = (await log?.close())?.written === true;
      const where = logged
        ? `\nwhole log: dagq logs ${msg.workflow_id} ${msg.task} --attempt ${msg.attempt}`
        : "";
      if (result.error !== undefined) {
        this.stats.failed++;
        const error = abort.signal.aborted
          ? `killed: ${String(abort.signal.reason)}`
          : result.error;
        this.told(msg, finishedAt - startedAt, `failed: ${error.split("\n")[0]}`);
        return {
          kind: "failed",
          ...base,
          error: cut(error, 4096 - where.length) + where,
          exit_code: result.exitCode,
          at: finishedAt,
        };
      }
      this.stats.completed++;
      this.told(msg, finishedAt - startedAt, "completed");
      return {
        kind: "completed",
        ...base,
        at: finishedAt,
        ...(await this.outputField(msg, result.output)),
      };
    } finally {
      stopWatching();
    }
  }

  /** `dagq worker -v`: a line per attempt. */
  private told(msg: TaskMessage, ms: number, outcome: string): void {
    this.deps.telemetry.log(
      "debug",
      `task ${msg.workflow_id} ${msg.task} attempt ${msg.attempt}: ${outcome} in ${(ms / 1000).toFixed(1)}s`,
    );
  }

  private attemptLog(msg: TaskMessage): AttemptLog | null {
    if (this.opts.logs === null) return null;
    const path = this.deps.names.logBlob(msg.workflow_id, msg.task, msg.attempt);
    return new AttemptLog(blobLogTarget(this.deps.blobs, path), this.opts.logs, (why) =>
      this.deps.telemetry.log("warn", `${msg.workflow_id} ${msg.task}: ${why}`),
    );
  }

  /**
   * Large outputs go to a blob; the completion carries a reference the coordinator understands.
   * Not for a workflow purged (or cancelled) while the task ran: nothing would ever read the
   * blob, and nothing would delete it once the purge is done. (The orphan sweep deletes what
   * still slips through, for an hour after a purge.)
   */
  private async spill(msg: TaskMessage, output: Json): Promise<Json | OutputRef | undefined> {
    const text = JSON.stringify(output);
    const bytes = Buffer.byteLength(text);
    if (bytes <= this.opts.inlineOutputBytes) return output;
    const veto = await this.signals.vetoed(msg.workflow_id, msg.task, msg.attempt);
    if (veto !== undefined) {
      this.deps.telemetry.log("info", `output of ${msg.workflow_id} ${msg.task} not kept: ${veto}`);
      return undefined;
    }
    const path = this.deps.names.outputBlob(msg.workflow_id, msg.task, msg.attempt);
    await this.retry("write output", () => this.deps.blobs.write(path, Buffer.from(text)));
    return { $dagq: "output-ref", path, bytes };
  }

  private async outputField(msg: TaskMessage, output: Json | undefined) {
    const kept = output === undefined ? undefined : await this.spill(msg, output);
    return kept === undefined ? {} : { output: kept as Json };
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    const deadline = Date.now() + this.opts.shutdownGraceMs;
    while (this.running > 0 && Date.now() < deadline) await sleep(100);
    for (const c of this.active.values()) c.abort("worker shutting down");
    while (this.running > 0) await sleep(50);
    await this.sender.drain();
    await Promise.allSettled([...this.settling]);
    this.signals.stop();
    await this.deps.source.close();
  }
}

/** At most `max` characters (a failed report's error is at most 4,096). */
function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
