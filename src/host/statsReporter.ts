import type { StatsTelemetry } from "../observability/telemetry.js";
import type { HostLog } from "./invocationContext.js";

export interface Snapshot {
  readonly at: number;
  readonly counters: ReadonlyMap<string, number>;
  readonly observations: ReadonlyMap<string, { readonly n: number; readonly sum: number }>;
}

/**
 * Logs one line of what happened in the last interval, like the seed's coordinator did:
 * completions/s, batch sizes, flush latency, lease conflicts, inbox parks, dispatches, sweep
 * findings and poison. Quiet intervals print nothing, so an idle host does not fill the log.
 */
export function startStatsReporter(opts: {
  readonly sources: readonly StatsTelemetry[];
  readonly everyMs: number;
  readonly log: HostLog;
}): { stop(): void } {
  let prev = snapshot(opts.sources);
  const timer = setInterval(() => {
    const cur = snapshot(opts.sources);
    const line = statsLine(prev, cur);
    prev = cur;
    if (line !== null) opts.log("info", line);
  }, opts.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

const REPORTED = new Set([
  "completions.received",
  "lease.conflicts",
  "inbox.parked",
  "tasks.dispatched",
  "sweep.timed_out",
  "sweep.repaired",
  "completions.poisoned",
  "host.queue.poisoned",
  "host.queue.failures",
  "host.timer.failures",
]);

function isReported(counter: string): boolean {
  return REPORTED.has(counter) || counter.startsWith("sweep.orphans.");
}

function snapshot(sources: readonly StatsTelemetry[]): Snapshot {
  const counters = new Map<string, number>();
  const observations = new Map<string, { n: number; sum: number }>();
  for (const s of sources) {
    for (const [k, v] of s.counters) counters.set(k, (counters.get(k) ?? 0) + v);
    for (const [k, o] of s.observations) {
      const acc = observations.get(k) ?? { n: 0, sum: 0 };
      observations.set(k, { n: acc.n + o.n, sum: acc.sum + o.sum });
    }
  }
  return { at: Date.now(), counters, observations };
}

/** The line for the interval between two snapshots, or null when nothing happened in it. */
export function statsLine(prev: Snapshot, cur: Snapshot): string | null {
  const d = (name: string) => (cur.counters.get(name) ?? 0) - (prev.counters.get(name) ?? 0);
  const avg = (name: string) => {
    const a = cur.observations.get(name) ?? { n: 0, sum: 0 };
    const b = prev.observations.get(name) ?? { n: 0, sum: 0 };
    return a.n > b.n ? (a.sum - b.sum) / (a.n - b.n) : 0;
  };
  // Only what the line reports counts as happening: timers firing, sweeps visiting running
  // workflows and HTTP reads (a dashboard, a `watch`) go on while nothing moves.
  const changed = [...cur.counters].some(
    ([k, v]) => isReported(k) && v !== (prev.counters.get(k) ?? 0),
  );
  if (!changed) return null;
  const seconds = Math.max(0.001, (cur.at - prev.at) / 1000);
  const completions = d("completions.received");
  const orphans = [...cur.counters.keys()]
    .filter((k) => k.startsWith("sweep.orphans."))
    .reduce((n, k) => n + d(k), 0);
  return [
    `stats ${seconds.toFixed(0)}s: completions ${completions} (${(completions / seconds).toFixed(1)}/s)`,
    `batch avg ${avg("batch.size").toFixed(1)}`,
    `flush avg ${avg("flush.ms").toFixed(1)} ms / ${avg("flush.bytes").toFixed(0)} B`,

    `lease conflicts ${d("lease.conflicts")}`,
    `inbox parks ${d("inbox.parked")}`,
    `dispatched ${d("tasks.dispatched")}`,
    `sweeps: visited ${d("sweep.visited")}, timed out ${d("sweep.timed_out")}, repaired ${d("sweep.repaired")}, orphans ${orphans}`,
    `poison ${d("completions.poisoned") + d("host.queue.poisoned")}`,
    `handler failures ${d("host.queue.failures") + d("host.timer.failures")}`,
  ].join(", ");
}
