import { applyEvents, type RunState, summarize, type Transition } from "../core/index.js";
import type { Telemetry } from "../observability/telemetry.js";
import type { CoordinatorConfig, SweepRequest } from "./coordinatorConfig.js";
import type { InboxEvent } from "./inbox.js";
import type { OutputFetcher } from "./outputFetcher.js";
import { toCoreEvents } from "./toCoreEvents.js";

/**
 * The reducer (or the mapping of wire events) threw. Unlike a storage error, retrying the same
 * events would throw again: the cycle isolates the event responsible instead (cycle.ts).
 */
export class ReduceError extends Error {
  override readonly name = "ReduceError";
  constructor(readonly reason: unknown) {
    super(`the reducer threw: ${reason instanceof Error ? reason.message : String(reason)}`);
  }
}

/** The reducer's entry point; a test may put a faulty one in its place to prove isolation. */
export type Reduce = typeof applyEvents;

/** What one cycle hands the reducer. */
export interface BatchInput {
  readonly run: RunState;
  /** Wire events, inbox entries first, then the cycle's queued work. */
  readonly events: readonly InboxEvent[];
  readonly sweeps: readonly SweepRequest[];
  readonly now: number;
  readonly config: CoordinatorConfig;
  readonly outputs: OutputFetcher;
  /** Reports events it drops (a report for a task the definition does not have). */
  readonly warn: (why: string) => void;
  /** Room left per task queue, when queues are capped (QueueBudget.roomFor). */
  readonly queueRoom?: ReadonlyMap<string, number>;
  readonly reduce?: Reduce;
}

/**
 * One cycle's call of the reducer: wire events mapped to tasks, sweep requests merged in, the
 * spilled outputs that conditions may read fetched first. Returns how many events it applied
 * (for the batch-size signal) and the transition.
 */
export async function applyBatch(input: BatchInput): Promise<{ applied: number; t: Transition }> {
  const { run, sweeps, now, config, queueRoom } = input;
  const core = pure(() => toCoreEvents(run, input.events, input.warn));
  for (const found of sweeps) core.push(...found.events);
  const repairs = sweeps.flatMap((r) => (r.repairableQueues ? [r.repairableQueues] : []));
  const reconcile = sweeps.some((r) => r.reconcile);
  const resolvedOutputs = await input.outputs.prefetch(run, core, { reconcile });
  const reduce = input.reduce ?? applyEvents;
  const t = pure(() =>
    reduce(run, core, now, {
      maxInFlight: config.maxInFlight,
      ...(queueRoom ? { queueRoom } : {}),
      ...(resolvedOutputs.size > 0 ? { resolvedOutputs } : {}),
      ...(repairs.length > 0
        ? {
            repairAfterMs: config.repairAfterMs,
            repairableQueues: new Set(repairs.flatMap((r) => [...r])),
          }
        : {}),
      ...(reconcile ? { reconcile: true } : {}),
    }),
  );
  return { applied: core.length, t };
}

/** Runs pure code (no I/O): anything it throws is the events' doing, not storage's. */
function pure<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new ReduceError(e);
  }
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
