/**
 * At most `limit` jobs at once; the rest wait in submission order. A waiting job can be
 * withdrawn (its task was killed before it got a slot); a running one is the caller's to stop.
 */
export class TaskPool {
  private active = 0;
  private readonly waiting: Array<() => Promise<void>> = [];
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`pool size ${limit} < 1`);
  }

  get running(): number {
    return this.active;
  }

  /** Queues `job`; returns a function that withdraws it if it has not started yet. */
  submit(job: () => Promise<void>): () => void {
    this.waiting.push(job);
    this.pump();
    return () => {
      const k = this.waiting.indexOf(job);
      if (k >= 0) this.waiting.splice(k, 1);
    };
  }

  /** Drops every waiting job and resolves once the running ones have settled. */
  drain(): Promise<void> {
    this.waiting.length = 0;
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.active < this.limit && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.active++;
      job()
        .catch(() => {
          // Jobs report their own failures; one that throws must not wedge the pool.
        })
        .finally(() => {
          this.active--;
          this.pump();
          if (this.active === 0 && this.waiting.length === 0) {
            for (const resolve of this.idleWaiters.splice(0)) resolve();
          }
        });
    }
  }
}
