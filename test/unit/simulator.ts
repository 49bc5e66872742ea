import {
  applyEvents,
  type Changes,
  type Command,
  type CompiledWorkflow,
  createRun,
  type Event,
  type Json,
  type RunState,
} from "../../src/core/index.js";
import { verifyCounters } from "../../src/core/summary.js";

export interface Outcome {
  readonly ok: boolean;
  readonly output?: Json;
}

export interface SimOptions {
  /** Deterministic per (task, attempt): the result must not depend on delivery order. */
  readonly outcome: (task: number, attempt: number, run: RunState) => Outcome;
  /** A number in [0, 1) per call: drives delivery order, batching and duplicates. */
  readonly random: () => number;
  readonly maxInFlight?: number;
  readonly duplicateRate?: number;
  readonly checkEveryStep?: boolean;
  /**
   * Called each time nothing is left in flight: events to apply then (an operator's rerun), or
   * none to end the simulation.
   */
  readonly whenIdle?: (run: RunState) => Event[];
}

export interface SimResult {
  readonly run: RunState;
  readonly deltas: Changes[];
  readonly steps: number;
  readonly dispatches: Array<[number, number]>;
}

/**
 * Plays workers against the reducer: in-flight tasks finish in random order, reports arrive in
 * random batches, some are delivered twice, "started" reports are sometimes lost.
 */
export function simulate(def: CompiledWorkflow, opts: SimOptions): SimResult {
  const T0 = 1_700_000_000_000;
  const { run, transition } = createRun(def, "sim", T0, { maxInFlight: opts.maxInFlight });
  const deltas = [transition.delta];
  const pool: Array<[number, number]> = [];
  const delivered: Event[] = [];
  const dispatches: Array<[number, number]> = [];
  const take = (cmds: Command[]) => {
    for (const c of cmds) {
      if (c.kind === "dispatch") {
        pool.push([c.task, c.attempt]);
        dispatches.push([c.task, c.attempt]);
      }
    }
  };
  take(transition.commands);
  let steps = 0;
  for (;;) {
    if (pool.length === 0) {
      const more = opts.whenIdle?.(run) ?? [];
      if (more.length === 0) break;
      const t = applyEvents(run, more, T0 + ++steps, { maxInFlight: opts.maxInFlight });
      deltas.push(t.delta);
      take(t.commands);
      continue;
    }
    if (++steps > 100_000) throw new Error("simulation does not terminate");
    const batch: Event[] = [];
    const size = 1 + Math.floor(opts.random() * Math.min(pool.length, 4));
    for (let k = 0; k < size && pool.length > 0; k++) {
      const [task, attempt] = pool.splice(Math.floor(opts.random() * pool.length), 1)[0]!;
      if (opts.random() < 0.7) batch.push({ kind: "started", task, attempt });
      const o = opts.outcome(task, attempt, run);
      batch.push(
        o.ok
          ? {
              kind: "completed",
              task,
              attempt,
              ...(o.output !== undefined ? { output: o.output } : {}),
            }
          : { kind: "failed", task, attempt, error: `attempt ${attempt} failed` },
      );
    }
    if (delivered.length > 0 && opts.random() < (opts.duplicateRate ?? 0.2)) {
      batch.push(delivered[Math.floor(opts.random() * delivered.length)]!);
    }
    delivered.push(...batch);
    const t = applyEvents(run, batch, T0 + steps, { maxInFlight: opts.maxInFlight });
    deltas.push(t.delta);
    take(t.commands);
    if (opts.checkEveryStep) {
      const problems = verifyCounters(run);
      if (problems.length > 0)
        throw new Error(`counters drifted at step ${steps}: ${problems.join("; ")}`);
    }
  }
  return { run, deltas, steps, dispatches };
}

/** The parts of the final state that must not depend on delivery order. */
export function outcomeOf(run: RunState) {
  return {
    workflow: run.wf.status,
    tasks: run.def.tasks.map((t, i) => ({
      name: t.name,
      status: run.status[i],
      attempt: run.attempt[i],
      output: run.outputs.get(i) ?? null,
    })),
  };
}

/** A small seeded PRNG (mulberry32): tests need reproducible orders from a fast-check seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
