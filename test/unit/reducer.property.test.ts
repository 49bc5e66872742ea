import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CompiledWorkflow,
  compileDefinition,
  isTerminalCode,
  RunState,
  replay,
  restore,
  snapshot,
} from "../../src/core/index.js";
import { verifyCounters } from "../../src/core/summary.js";
import { outcomeOf, prng, simulate } from "./simulator.js";

/** Random DAGs: edges only go from lower to higher index, so every graph is acyclic. */
const arbWorkflow = fc
  .integer({ min: 1, max: 24 })
  .chain((n) =>
    fc.tuple(
      fc.constant(n),
      fc.array(
        fc.record({
          parentMask: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
          policy: fc.oneof(
            fc.constant("all" as const),
            fc.constant("any" as const),
            fc.integer({ min: 1, max: 3 }),
          ),
          condition: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
          retries: fc.integer({ min: 0, max: 2 }),
          failUntil: fc.integer({ min: 0, max: 4 }),
        }),
        { minLength: n, maxLength: n },
      ),
    ),
  )
  .map(([n, specs]) => {
    const tasks = specs.map((s, i) => {
      const deps = s.parentMask.slice(0, i).flatMap((on, p) => (on ? [`t${p}`] : []));
      const policy = typeof s.policy === "number" ? Math.min(s.policy, deps.length) : s.policy;
      const task: Record<string, unknown> = { name: `t${i}`, command: "x", depends_on: deps };
      if (deps.length > 0) task.dep_policy = policy;
      if (deps.length > 0 && s.condition !== undefined) {
        task.condition =
          s.condition % 2 === 0
            ? `inputs.${deps[0]}.v >= ${s.condition}`
            : `count(inputs["t*"].ok) >= 1`;
      }
      task.num_retries = s.retries;
      return task;
    });
    const def = compileDefinition({ name: "random", defaults: { retry_backoff_s: 0 }, tasks });
    const failUntil = specs.map((s) => s.failUntil);
    return { def, failUntil, n };
  });

function outcome(failUntil: number[]) {
  // Attempts up to failUntil fail; a task with failUntil 4 always fails (retries are at most 2).
  return (task: number, attempt: number) =>
    attempt <= failUntil[task]!
      ? { ok: false }
      : { ok: true, output: { v: task % 5, ok: task % 3 !== 0 } };
}

function same(a: RunState, b: RunState) {
  expect(outcomeOf(a)).toEqual(outcomeOf(b));
  expect([...a.counts]).toEqual([...b.counts]);
}

describe("the reducer over random DAGs and delivery orders", () => {
  it("ends with every task terminal, counters equal to a recount, and never double-dispatches", () => {
    fc.assert(
      fc.property(
        arbWorkflow,
        fc.integer(),
        fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
        ({ def, failUntil }, seed, maxInFlight) => {
          const r = simulate(def, {
            outcome: outcome(failUntil),
            random: prng(seed),
            maxInFlight,
            checkEveryStep: true,
          });
          expect(r.run.terminal).toBe(def.size);
          for (let i = 0; i < def.size; i++) expect(isTerminalCode(r.run.status[i]!)).toBe(true);
          expect(["completed", "failed"]).toContain(r.run.wf.status);
          expect(verifyCounters(r.run)).toEqual([]);
          const keys = r.dispatches.map(([t, a]) => `${t}:${a}`);
          expect(new Set(keys).size).toBe(keys.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reaches the same final state whatever the order, batching and duplication of reports", () => {
    fc.assert(
      fc.property(arbWorkflow, fc.integer(), fc.integer(), ({ def, failUntil }, s1, s2) => {
        const a = simulate(def, { outcome: outcome(failUntil), random: prng(s1) });
        const b = simulate(def, {
          outcome: outcome(failUntil),
          random: prng(s2),
          maxInFlight: 2,
          duplicateRate: 0.5,
        });
        same(a.run, b.run);
      }),
      { numRuns: 300 },
    );
  });

  it("snapshot + deltas rebuild the exact state, and replaying a delta twice is harmless", () => {
    fc.assert(
      fc.property(
        arbWorkflow,
        fc.integer(),
        fc.integer({ min: 0, max: 1000 }),
        ({ def, failUntil }, seed, cut) => {
          const r = simulate(def, { outcome: outcome(failUntil), random: prng(seed) });
          const fromDeltas = rebuild(def, r.deltas);
          same(fromDeltas, r.run);
          expect(verifyCounters(fromDeltas)).toEqual([]);

          const k = cut % r.deltas.length;
          const head = rebuild(def, r.deltas.slice(0, k + 1));
          replay(head, r.deltas[k]!);
          const resumed = restore(def, "sim", snapshot(head), r.deltas.slice(k + 1));
          same(resumed, r.run);
          expect(resumed.wf).toEqual(r.run.wf);
          expect([...resumed.startedAt]).toEqual([...r.run.startedAt]);
          expect([...resumed.finishedAt]).toEqual([...r.run.finishedAt]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

function rebuild(def: CompiledWorkflow, deltas: readonly ReturnType<typeof snapshot>[]): RunState {
  const first = deltas[0]!;
  const run = new RunState(def, "sim", { ...first.wf! });
  for (const d of deltas) replay(run, d);
  return run;
}
