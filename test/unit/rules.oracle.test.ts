import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compileDefinition,
  type Event,
  mapItem,
  type RunState,
  restore,
  snapshot,
  summarize,
  TASK_STATES,
  taskName,
} from "../../src/core/index.js";
import { verifyCounters } from "../../src/core/summary.js";
import {
  BAD,
  definitionOf,
  oracle,
  oracleRerun,
  rerunArb,
  type WorkflowGen,
  workflowArb,
} from "../support/rulesOracle.js";
import { type Outcome, prng, simulate } from "./simulator.js";

/**
 * The README's rules, checked against an oracle written here from the README's words alone
 * (it imports nothing from src/core but the compiler and the reducer it checks). Random DAGs,
 * random outcomes, random delivery orders, batching, duplicates and stale reports: the final
 * state must be the oracle's, whatever the order.
 *
 * The oracle walks the tasks in definition order (every edge goes to a later task), so each
 * task is decided from its parents' FINAL states — which is exactly what "the outcome never
 * depends on the order in which parents finish" promises.
 */

// ---- The property ------------------------------------------------------------------------

function outcome(w: WorkflowGen) {
  return (task: number, attempt: number, run: RunState): Outcome => {
    const item = mapItem(run, task);
    if (item) {
      // An instance k fails up to failUntil - k, then writes its item (README: DAGQ_MAP_ITEM).
      const t = w.tasks[run.taskOf(task)]!;
      return attempt <= t.failUntil - item.index ? { ok: false } : { ok: true, output: item.item };
    }
    const t = w.tasks[task]!;
    if (attempt <= t.failUntil) return { ok: false };
    return t.output === undefined ? { ok: true } : { ok: true, output: t.output };
  };
}

/** The run's final state in the oracle's terms: the compiled tasks, and the maps' instances. */
function seen(run: RunState) {
  const final = (i: number) => {
    const reason = run.reasons.get(i) ?? "";
    const mapError = run.status[i] === 4 && /^map (could not be evaluated|must give)/.test(reason);
    return {
      status: TASK_STATES[run.status[i]!]!,
      // An expanded map never runs: it counts no attempt.
      attempts: run.expansions.has(i) ? 0 : run.attempt[i]!,
      output: run.status[i] === 3 ? (run.outputs.get(i) ?? null) : null,
      conditionError: reason.startsWith("condition could not be evaluated"),
      ...(mapError ? { mapError: true as const } : {}),
    };
  };
  const instances: Record<string, ReturnType<typeof final>> = {};
  for (let i = run.def.size; i < run.size; i++) instances[taskName(run, i)] = final(i);
  return { tasks: run.def.tasks.map((_, i) => final(i)), instances };
}

describe("the rules against an oracle written from the README", () => {
  it("every final task state, attempt count, output and the workflow's status match", () => {
    fc.assert(
      fc.property(
        workflowArb(),
        fc.integer(),
        fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
        fc.constantFrom(0, 0.2, 0.6),
        (w, seed, maxInFlight, duplicateRate) => {
          const def = compileDefinition(definitionOf(w));
          const r = simulate(def, {
            outcome: outcome(w),
            random: prng(seed),
            maxInFlight,
            duplicateRate,
          });
          const want = oracle(w);
          const got = seen(r.run);
          expect(got.tasks).toEqual(want.tasks);
          expect(got.instances).toEqual(want.instances);
          expect(r.run.wf.status).toBe(want.workflow);
          expect(summarize(r.run).conditionErrors).toBe(
            want.tasks.filter((t) => t.conditionError && t.status === "skipped").length,
          );
          expect(verifyCounters(r.run)).toEqual([]);
          // Every upstream_failed reason names a parent (or a map's instance) that did not succeed.
          const bad = [
            ...want.tasks.flatMap((f, p) => (BAD.has(f.status) ? [`t${p}`] : [])),
            ...Object.entries(want.instances).flatMap(([n, f]) => (BAD.has(f.status) ? [n] : [])),
          ];
          def.tasks.forEach((t, i) => {
            if (want.tasks[i]!.status !== "upstream_failed") return;
            const reason = r.run.reasons.get(i) ?? "";
            const named = bad.some(
              (n) =>
                w.tasks[i]!.parents.includes(Number(/^t(\d+)/.exec(n)![1])) &&
                reason.includes(`"${n}" `),
            );
            expect(named, `${t.name}: ${reason}`).toBe(true);
          });
        },
      ),
      { numRuns: 600 },
    );
  });

  it("a random rerun after a random failure ends as the oracle's rerun says, replayed exactly", () => {
    fc.assert(
      fc.property(
        workflowArb().chain((w) => fc.tuple(fc.constant(w), rerunArb(w.tasks.length))),
        fc.integer(),
        fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
        ([w, r], seed, maxInFlight) => {
          const def = compileDefinition(definitionOf(w));
          let rerunDone = false;
          const sim = simulate(def, {
            outcome: outcome(w),
            random: prng(seed),
            maxInFlight,
            duplicateRate: 0.3,
            checkEveryStep: true,
            // Once the workflow has ended, the rerun; a refused one changes nothing.
            whenIdle: () => {
              if (rerunDone) return [];
              rerunDone = true;
              const event: Event = {
                kind: "rerun",
                ...(r.chosen ? { tasks: r.chosen } : {}),
                ...(r.failed ? { failed: true } : {}),
                ...(r.downstream ? { downstream: true } : {}),
              };
              return [event];
            },
          });
          const first = oracle(w);
          const want = oracleRerun(w, first, r);
          const expected = want === "refused" ? first : want;
          const got = seen(sim.run);
          expect(got.tasks).toEqual(expected.tasks);
          expect(got.instances).toEqual(expected.instances);
          expect(sim.run.wf.status).toBe(expected.workflow);
          expect(verifyCounters(sim.run)).toEqual([]);
          const rebuilt = restore(def, "sim", sim.deltas[0]!, sim.deltas.slice(1));
          expect(snapshot(rebuilt)).toEqual(snapshot(sim.run));
        },
      ),
      { numRuns: 600 },
    );
  });

  it("the oracle itself gives the README's worked example (mixed skipped and failed parents)", () => {
    // A → B (condition false: skipped), A → C (fails); D = any(B, C), E = 1 of (B, C).
    const w: WorkflowGen = {
      resultPolicy: "sinks",
      tasks: [
        {
          parents: [],
          policy: "all",
          conditionErrors: "skip",
          retries: 0,
          failUntil: 0,
          output: { v: 0 },
        },
        {
          parents: [0],
          policy: "all",
          cond: { kind: "field", parent: 0, atLeast: 1 },
          conditionErrors: "skip",
          retries: 0,
          failUntil: 0,
          output: null,
        },
        {
          parents: [0],
          policy: "all",
          conditionErrors: "skip",
          retries: 0,
          failUntil: 9,
          output: null,
        },
        {
          parents: [1, 2],
          policy: "any",
          conditionErrors: "skip",
          retries: 0,
          failUntil: 0,
          output: null,
        },
        {
          parents: [1, 2],
          policy: 1,
          conditionErrors: "skip",
          retries: 0,
          failUntil: 0,
          output: null,
        },
      ],
    };
    const o = oracle(w);
    expect(o.tasks.map((t) => t.status)).toEqual([
      "completed",
      "skipped",
      "failed",
      "upstream_failed",
      "upstream_failed",
    ]);
    expect(o.workflow).toBe("failed");
  });
});
