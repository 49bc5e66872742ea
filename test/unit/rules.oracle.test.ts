import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compileDefinition,
  type Event,
  restore,
  snapshot,
  summarize,
  TASK_STATES,
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
  return (task: number, attempt: number): Outcome => {
    const t = w.tasks[task]!;
    if (attempt <= t.failUntil) return { ok: false };
    return t.output === undefined ? { ok: true } : { ok: true, output: t.output };
  };
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
          const got = def.tasks.map((_, i) => ({
            status: TASK_STATES[r.run.status[i]!]!,
            attempts: r.run.attempt[i]!,
            output: r.run.status[i] === 3 ? (r.run.outputs.get(i) ?? null) : null,
            conditionError: (r.run.reasons.get(i) ?? "").startsWith(
              "condition could not be evaluated",
            ),
          }));
          expect(got).toEqual(want.tasks);
          expect(r.run.wf.status).toBe(want.workflow);
          expect(summarize(r.run).conditionErrors).toBe(
            want.tasks.filter((t) => t.conditionError && t.status === "skipped").length,
          );
          expect(verifyCounters(r.run)).toEqual([]);
          // Every upstream_failed reason names a parent that did not succeed.
          def.tasks.forEach((t, i) => {
            if (want.tasks[i]!.status !== "upstream_failed") return;
            const reason = r.run.reasons.get(i) ?? "";
            const named = w.tasks[i]!.parents.some(
              (p) => BAD.has(want.tasks[p]!.status) && reason.includes(`"t${p}" `),
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
          const got = def.tasks.map((_, i) => ({
            status: TASK_STATES[sim.run.status[i]!]!,
            attempts: sim.run.attempt[i]!,
            output: sim.run.status[i] === 3 ? (sim.run.outputs.get(i) ?? null) : null,
            conditionError: (sim.run.reasons.get(i) ?? "").startsWith(
              "condition could not be evaluated",
            ),
          }));
          expect(got).toEqual(expected.tasks);
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
