import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compileDefinition,
  type Json,
  summarize,
  TASK_STATES,
  verifyCounters,
} from "../../src/core/index.js";
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

type Policy = "all" | "any" | "all_settled" | "always" | number;
type Cond =
  | { kind: "field"; parent: number; atLeast: number } // inputs.tP.v >= K
  | { kind: "count"; atLeast: number }; // count(inputs["t*"].ok) >= K

interface TaskGen {
  parents: number[];
  policy: Policy;
  cond?: Cond;
  conditionErrors: "skip" | "fail";
  retries: number;
  /** Attempts up to this number fail. */
  failUntil: number;
  output: Json | undefined;
}

interface WorkflowGen {
  tasks: TaskGen[];
  resultPolicy: "sinks" | "all_tasks";
  maxParallelism?: number;
}

const outputArb: fc.Arbitrary<Json | undefined> = fc.oneof(
  fc.record({ v: fc.integer({ min: 0, max: 4 }), ok: fc.boolean() }),
  fc.record({ v: fc.integer({ min: 0, max: 4 }) }), // no `ok`: a count() over it cannot be evaluated
  fc.record({ ok: fc.constantFrom("yes", 1) }), // `ok` not a boolean, no `v`
  fc.constant(null),
  fc.constant(undefined), // the task wrote no output
);

const workflowArb: fc.Arbitrary<WorkflowGen> = fc.integer({ min: 1, max: 18 }).chain((n) =>
  fc.record({
    tasks: fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        fc
          .record({
            mask: fc.array(fc.boolean(), { minLength: i, maxLength: i }),
            policy: fc.oneof(
              fc.constantFrom<Policy>("all", "any", "all_settled", "always"),
              fc.integer({ min: 1, max: 3 }),
            ),
            condKind: fc.constantFrom("none", "none", "field", "count"),
            atLeast: fc.integer({ min: 0, max: 3 }),
            conditionErrors: fc.constantFrom<"skip" | "fail">("skip", "fail"),
            retries: fc.integer({ min: 0, max: 2 }),
            failUntil: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 4 })),
            output: outputArb,
          })
          .map((r): TaskGen => {
            const parents = r.mask.flatMap((on, p) => (on ? [p] : []));
            let policy = r.policy;
            if (typeof policy === "number") policy = Math.min(policy, Math.max(parents.length, 1));
            const cond: Cond | undefined =
              parents.length === 0 || r.condKind === "none"
                ? undefined
                : r.condKind === "field"
                  ? { kind: "field", parent: parents[0]!, atLeast: r.atLeast }
                  : { kind: "count", atLeast: r.atLeast };
            return {
              parents,
              policy: parents.length === 0 ? "all" : policy,
              ...(cond ? { cond } : {}),
              conditionErrors: r.conditionErrors,
              retries: r.retries,
              failUntil: r.failUntil,
              output: r.output,
            };
          }),
      ),
    ),
    resultPolicy: fc.constantFrom<"sinks" | "all_tasks">("sinks", "all_tasks"),
    maxParallelism: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  }),
);

function definitionOf(w: WorkflowGen): unknown {
  return {
    name: "oracle",
    result_policy: w.resultPolicy,
    ...(w.maxParallelism ? { max_parallelism: w.maxParallelism } : {}),
    defaults: { retry_backoff_s: 0 },
    tasks: w.tasks.map((t, i) => ({
      name: `t${i}`,
      command: "x",
      depends_on: t.parents.map((p) => `t${p}`),
      dep_policy: t.policy,
      num_retries: t.retries,
      condition_errors: t.conditionErrors,
      ...(t.cond
        ? {
            condition:
              t.cond.kind === "field"
                ? `inputs.t${t.cond.parent}.v >= ${t.cond.atLeast}`
                : `count(inputs["t*"].ok) >= ${t.cond.atLeast}`,
          }
        : {}),
    })),
  };
}

// ---- The oracle: the README's rules, written out ---------------------------------------

type Final = { status: string; attempts: number; output: Json | null; conditionError: boolean };
const BAD = new Set(["failed", "upstream_failed", "cancelled"]);

function isObj(v: Json | undefined): v is { readonly [k: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** true / false, or "error" when the condition cannot be evaluated (README: it skips the task). */
function conditionHolds(
  t: TaskGen,
  finals: Final[],
  outputs: (Json | undefined)[],
): boolean | "error" {
  const c = t.cond!;
  if (c.kind === "field") {
    if (finals[c.parent]!.status !== "completed") return "error"; // it did not complete
    const out = outputs[c.parent];
    if (!isObj(out) || typeof out.v !== "number") return "error"; // missing field
    return out.v >= c.atLeast;
  }
  // A glob reads the dependencies that completed; count() needs true/false values.
  let trues = 0;
  for (const p of t.parents) {
    if (finals[p]!.status !== "completed") continue;
    const out = outputs[p];
    if (!isObj(out) || typeof out.ok !== "boolean") return "error";
    if (out.ok) trues++;
  }
  return trues >= c.atLeast;
}

function oracle(w: WorkflowGen): { tasks: Final[]; workflow: string } {
  const finals: Final[] = [];
  const outputs: (Json | undefined)[] = [];
  const runIt = (t: TaskGen): Final => {
    // Retries: attempts 1..retries+1; attempts up to failUntil fail.
    const attempts = Math.min(t.failUntil + 1, t.retries + 1);
    return t.failUntil < t.retries + 1
      ? { status: "completed", attempts, output: t.output ?? null, conditionError: false }
      : { status: "failed", attempts, output: null, conditionError: false };
  };
  const end = (status: string, conditionError = false): Final => ({
    status,
    attempts: 1,
    output: null,
    conditionError,
  });
  w.tasks.forEach((t, i) => {
    const ps = t.parents.map((p) => finals[p]!.status);
    const completed = ps.filter((s) => s === "completed").length;
    const bad = ps.filter((s) => BAD.has(s)).length;
    const met =
      ps.length === 0 ||
      (t.policy === "all"
        ? completed === ps.length
        : t.policy === "any" || t.policy === "all_settled"
          ? completed >= 1
          : t.policy === "always"
            ? true
            : completed >= t.policy);
    let f: Final;
    if (!met) f = end(bad > 0 ? "upstream_failed" : "skipped");
    else if (!t.cond) f = runIt(t);
    else {
      const holds = conditionHolds(t, finals, outputs);
      if (holds === "error") f = end(t.conditionErrors === "fail" ? "failed" : "skipped", true);
      else f = holds ? runIt(t) : end("skipped");
    }
    finals[i] = f;
    outputs[i] = f.status === "completed" ? t.output : undefined;
  });
  // The workflow: judged tasks are the final ones (not counting `always` children), or all.
  const judged = w.tasks.map((_, i) => {
    if (w.resultPolicy === "all_tasks") return true;
    return w.tasks.every((c) => !c.parents.includes(i) || c.policy === "always");
  });
  const failed = finals.some((f, i) => judged[i] && BAD.has(f.status));
  return { tasks: finals, workflow: failed ? "failed" : "completed" };
}

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
        workflowArb,
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
