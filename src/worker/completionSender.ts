import { type Completion, MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from "../protocol/messages.js";
import type { QueueStore } from "../storage/ports.js";

interface Pending {
  readonly completion: Completion;
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
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
    private readonly opts: { readonly lingerMs: number; readonly maxBatch: number } = {
      lingerMs: 100,
      maxBatch: 100,
    },
    private readonly retry: <T>(what: string, fn: () => Promise<T>) => Promise<T> = (_, fn) => fn(),
  ) {}

  send(completion: Completion): Promise<void> {
    const bytes = Buffer.byteLength(JSON.stringify(completion)) + 1;
    if (this.bytes + bytes > MAX_MESSAGE_BYTES - 64) this.flush();
    return new Promise((resolve, reject) => {
      this.pending.push({ completion, bytes, resolve, reject });
      this.bytes += bytes;
      if (this.pending.length >= this.opts.maxBatch) this.flush();
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
