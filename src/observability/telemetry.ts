/**
 * What the engine reports about itself. The Functions adapter logs through the invocation
 * context and exports metrics through OpenTelemetry when configured; tests and the local host
 * use `StatsTelemetry`, which keeps totals for the one-line summary.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Telemetry {
  log(level: LogLevel, message: string, attrs?: Record<string, unknown>): void;
  /** Adds to a counter, e.g. `completions.applied`. */
  count(name: string, n?: number): void;
  /** Records one observation, e.g. `flush.ms`. */
  observe(name: string, value: number): void;
}

export const silentTelemetry: Telemetry = { log() {}, count() {}, observe() {} };

/** Totals and sums since start, readable at any time. */
export class StatsTelemetry implements Telemetry {
  readonly counters = new Map<string, number>();
  readonly observations = new Map<string, { n: number; sum: number; max: number }>();

  /** Log records go straight to `log`: totals are all this keeps. */
  constructor(readonly log: Telemetry["log"] = () => {}) {}

  count(name: string, n = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + n);
  }

  observe(name: string, value: number): void {
    const o = this.observations.get(name) ?? { n: 0, sum: 0, max: 0 };
    o.n++;
    o.sum += value;
    o.max = Math.max(o.max, value);
    this.observations.set(name, o);
  }

  counter(name: string): number {
    return this.counters.get(name) ?? 0;
  }
}
