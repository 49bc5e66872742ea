import { type Completion, MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from "../protocol/messages.js";
import type { QueueStore } from "../storage/ports.js";

interface Pending {
  readonly completion: Completion;
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

export interface CompletionSenderOptions {
  readonly lingerMs: number;
  readonly maxBatch: number;
  /**
   * Whether a finished task's report should wait `lingerMs` for others to join it: true while
   * other tasks run that may finish meanwhile. When nothing else can join, the wait would only
   * add to the workflow's latency, so the report goes at once. (A `started` report always
   * waits: it is news, not progress, and usually rides with its task's completion.)
   */
  readonly lingerWhile?: () => boolean;
}

/**
 * Sends completions to the completion queue, packing those that finish close together into one
 * message (up to `maxBatch` or 48 KiB, waiting at most `lingerMs`): one message for many reports
 * is the cheapest thing a worker can do for the coordinator's throughput. `send` resolves when
 * the message holding the completion is on the queue, and only then may the task message go.
 */
export class CompletionSender {
  private pending: Pending[] = [];
  private bytes = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly queues: QueueStore,
    private readonly queue: string,
    private readonly opts: CompletionSenderOptions = { lingerMs: 100, maxBatch: 100 },
    private readonly retry: <T>(what: string, fn: () => Promise<T>) => Promise<T> = (_, fn) => fn(),
  ) {}

  send(completion: Completion): Promise<void> {
    const bytes = Buffer.byteLength(JSON.stringify(completion)) + 1;
    if (this.bytes + bytes > MAX_MESSAGE_BYTES - 64) this.flush();
    return new Promise((resolve, reject) => {
      this.pending.push({ completion, bytes, resolve, reject });
      this.bytes += bytes;
      const linger = completion.kind === "started" || (this.opts.lingerWhile?.() ?? true);
      if (this.pending.length >= this.opts.maxBatch || !linger) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.opts.lingerMs);
    });
  }

  /** Sends what is pending now; resolves when every message sent so far is on the queue. */
  async drain(): Promise<void> {
    this.flush();
    await Promise.allSettled([...this.inFlight]);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.bytes = 0;
    const text = JSON.stringify({
      v: PROTOCOL_VERSION,
      completions: batch.map((p) => p.completion),
    });
    const sending = this.retry("send completions", () => this.queues.send(this.queue, text)).then(
      () => {
        for (const p of batch) p.resolve();
      },
      (e: unknown) => {
        for (const p of batch) p.reject(e);
      },
    );
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }
}
