/**
 * Follows the workflows through the host's HTTP API, as a user would: a status read with
 * `detail=true` (it reads the state itself, not the index row that lags up to 2 s) of every
 * workflow every `everyMs`. A kill's stall is measured from these reads: from the kill to the
 * first read that shows more tasks finished than the read taken just before the kill.
 */
import { DagqApiError, DagqClient, type WorkflowStatus } from "../../src/client/index.js";
import { toError } from "../../src/toError.js";

export interface Sample {
  readonly at: number;
  /** Tasks of every workflow in a final state. */
  readonly finished: number;
  readonly allEnded: boolean;
}

export interface ReadFailure {
  readonly at: number;
  /** The HTTP status of an answer, or null when nothing answered (host or storage down). */
  readonly status: number | null;
  readonly message: string;
}

const UNFINISHED = ["pending", "ready", "running"] as const;
const ENDED = new Set(["completed", "failed", "cancelled"]);

export class ProgressWatch {
  readonly failures: ReadFailure[] = [];
  /** The longest time reads kept failing, from the first failure to the next good read. */
  longestFailingMs = 0;
  private failingSince: number | null = null;
  private last: Sample = { at: 0, finished: 0, allEnded: false };
  private readonly listeners = new Set<(s: Sample) => void>();
  private stopped = false;
  private loop: Promise<void> | null = null;
  private readonly client: DagqClient;

  constructor(
    url: string,
    key: string,
    private readonly ids: readonly string[],
    private readonly everyMs = 200,
  ) {
    // No retries: a failed read is a fact to record, and the next poll comes soon anyway.
    this.client = new DagqClient({ url, key, retries: 0, timeoutMs: 5_000 });
  }

  get latest(): Sample {
    return this.last;
  }

  start(): void {
    this.loop ??= (async () => {
      while (!this.stopped) {
        await this.sample();
        await new Promise((r) => setTimeout(r, this.everyMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    if (this.failingSince !== null)
      this.longestFailingMs = Math.max(this.longestFailingMs, Date.now() - this.failingSince);
  }

  /** One read of every workflow now; null when one of them failed. */
  async sample(): Promise<Sample | null> {
    let statuses: WorkflowStatus[];
    try {
      statuses = await Promise.all(this.ids.map((id) => this.client.status(id, { detail: true })));
    } catch (e) {
      const status = e instanceof DagqApiError ? e.status : null;
      const at = Date.now();
      this.failures.push({ at, status, message: toError(e).message.slice(0, 300) });
      this.failingSince ??= at;
      return null;
    }
    const finished = statuses.reduce(
      (n, s) => n + s.total - UNFINISHED.reduce((u, k) => u + s.counts[k], 0),
      0,
    );
    const sample = {
      at: Date.now(),
      finished,
      allEnded: statuses.every((s) => ENDED.has(s.status)),
    };
    this.last = sample;
    if (this.failingSince !== null)
      this.longestFailingMs = Math.max(this.longestFailingMs, sample.at - this.failingSince);
    this.failingSince = null;
    for (const l of this.listeners) l(sample);
    return sample;
  }

  /** Resolves with the first sample that satisfies `test`, or null after `timeoutMs`. */
  until(test: (s: Sample) => boolean, timeoutMs: number): Promise<Sample | null> {
    if (test(this.last)) return Promise.resolve(this.last);
    return new Promise((resolve) => {
      const done = (s: Sample | null) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(s);
      };
      const listener = (s: Sample) => {
        if (test(s)) done(s);
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      this.listeners.add(listener);
    });
  }
}
