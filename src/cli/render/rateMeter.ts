export interface Rate {
  /** Tasks finished per second, or null before there is anything to measure. */
  readonly perSecond: number | null;
  /** Milliseconds until every task is finished at that rate; null when unknown. */
  readonly etaMs: number | null;
}

/**
 * Completions per second as the overall average since the meter started, and the ETA from it.
 * Not an EMA of the deltas between polls: completions arrive in bursts (a batch of reports, an
 * index row refreshed every 2 s), so per-poll rates swing between 0 and several times the real
 * rate, and an ETA built on them jumps around. The whole-run average is steady and, for a
 * workflow that keeps its pace, right.
 */
export class RateMeter {
  private start: { readonly at: number; readonly finished: number } | null = null;

  /** The first sample starts the clock; call it once the workflow is running. */
  sample(finished: number, total: number, now: number): Rate {
    if (this.start === null) this.start = { at: now, finished };
    const seconds = (now - this.start.at) / 1000;
    const remaining = Math.max(0, total - finished);
    if (remaining === 0)
      return { perSecond: seconds > 0 ? this.rate(finished, seconds) : null, etaMs: 0 };
    if (seconds <= 0) return { perSecond: null, etaMs: null };
    const perSecond = this.rate(finished, seconds);
    return { perSecond, etaMs: perSecond > 0 ? (remaining / perSecond) * 1000 : null };
  }

  private rate(finished: number, seconds: number): number {
    return Math.max(0, finished - this.start!.finished) / seconds;
  }
}
