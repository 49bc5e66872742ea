import { applyEvents, type RunState, summarize, type Transition } from "../core/index.js";
import type { Telemetry } from "../observability/telemetry.js";
import type { CoordinatorConfig, SweepRequest } from "./coordinatorConfig.js";
import type { InboxEvent } from "./inbox.js";
import type { OutputFetcher } from "./outputFetcher.js";
import { toCoreEvents } from "./toCoreEvents.js";

/**
 * One cycle's call of the reducer: wire events mapped to tasks, sweep requests merged in, the
 * spilled outputs that conditions may read fetched first. Returns how many events it applied
 * (for the batch-size signal) and the transition.
 */
export async function applyBatch(
  run: RunState,
  events: readonly InboxEvent[],
  sweeps: readonly SweepRequest[],
  now: number,
  config: CoordinatorConfig,
  outputs: OutputFetcher,
  warn: (why: string) => void,
  canDispatch?: (task: number) => boolean,
): Promise<{ applied: number; t: Transition }> {
  const core = toCoreEvents(run.def, events, warn);
  for (const found of sweeps) core.push(...found.events);
  const repairs = sweeps.flatMap((r) => (r.repairable ? [r.repairable] : []));
  const resolveOutput = await outputs.prefetch(run, core);
  const t = applyEvents(run, core, now, {
    maxInFlight: config.maxInFlight,
    ...(canDispatch ? { canDispatch } : {}),
    ...(resolveOutput ? { resolveOutput } : {}),
    ...(repairs.length > 0
      ? {
          repairAfterMs: config.repairAfterMs,
          repairable: (i: number) => repairs.some((r) => r(i)),
        }
      : {}),
    ...(sweeps.some((r) => r.reconcile) ? { reconcile: true } : {}),
  });
  return { applied: core.length, t };
}

/** What a transition tells an operator: counters, and one line per workflow that finished. */
export function reportTransition(
  telemetry: Telemetry,
  id: string,
  run: RunState,
  applied: number,
  t: Transition,
): void {
  telemetry.count("events.applied", applied - t.ignored.length);
  telemetry.count("events.ignored", t.ignored.length);
  if (t.repaired > 0) telemetry.count("sweep.repaired", t.repaired);
  for (const c of t.commands) {
    if (c.kind !== "finish") continue;
    telemetry.count(`workflows.${c.status}`);
    const shown = Object.entries(summarize(run).counts)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${s}`)
      .join(", ");
    telemetry.log(
      "info",
      `workflow ${id} ${c.status}: ${shown}${run.wf.reason ? ` (${run.wf.reason})` : ""}`,
    );
  }
}
