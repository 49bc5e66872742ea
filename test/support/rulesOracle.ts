import fc from "fast-check";
import type { Json } from "../../src/core/index.js";

/**
 * The README's rules as an oracle, written from the README's words alone (it imports nothing
 * from src but the Json type). It walks the tasks in definition order (every edge goes to a
 * later task), so each task is decided from its parents' FINAL states — which is exactly what
 * "the outcome never depends on the order in which parents finish" promises. Shared by the
 * reducer's property test and the random workflows run through run-local and the serverless
 * path.
 */

export type Policy = "all" | "any" | "all_settled" | "always" | number;
export type Cond =
  | { kind: "field"; parent: number; atLeast: number } // inputs.tP.v >= K
  | { kind: "count"; atLeast: number } // count(inputs["t*"].ok) >= K
  | { kind: "allBelow"; below: number }; // all(inputs.*.v < K): element-wise over a glob

export interface TaskGen {
  parents: number[];
  policy: Policy;
  cond?: Cond;
  conditionErrors: "skip" | "fail";
  retries: number;
  /** Attempts up to this number fail. */
  failUntil: number;
  output: Json | undefined;
}

export interface WorkflowGen {
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

export const workflowArb = (maxTasks = 18): fc.Arbitrary<WorkflowGen> =>
  fc.integer({ min: 1, max: maxTasks }).chain((n) =>
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
              condKind: fc.constantFrom("none", "none", "field", "count", "allBelow"),
              atLeast: fc.integer({ min: 0, max: 3 }),
              conditionErrors: fc.constantFrom<"skip" | "fail">("skip", "fail"),
              retries: fc.integer({ min: 0, max: 2 }),
              failUntil: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 4 })),
              output: outputArb,
            })
            .map((r): TaskGen => {
              const parents = r.mask.flatMap((on, p) => (on ? [p] : []));
              let policy = r.policy;
              if (typeof policy === "number")
                policy = Math.min(policy, Math.max(parents.length, 1));
              const cond: Cond | undefined =
                parents.length === 0 || r.condKind === "none"
                  ? undefined
                  : r.condKind === "field"
                    ? { kind: "field", parent: parents[0]!, atLeast: r.atLeast }
                    : r.condKind === "count"
                      ? { kind: "count", atLeast: r.atLeast }
                      : { kind: "allBelow", below: r.atLeast + 1 };
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

export function definitionOf(w: WorkflowGen, command: (t: TaskGen) => string = () => "x"): unknown {
  return {
    name: "oracle",
    result_policy: w.resultPolicy,
    ...(w.maxParallelism ? { max_parallelism: w.maxParallelism } : {}),
    defaults: { retry_backoff_s: 0 },
    tasks: w.tasks.map((t, i) => ({
      name: `t${i}`,
      command: command(t),
      depends_on: t.parents.map((p) => `t${p}`),
      dep_policy: t.policy,
      num_retries: t.retries,
      condition_errors: t.conditionErrors,
      ...(t.cond
        ? {
            condition:
              t.cond.kind === "field"
                ? `inputs.t${t.cond.parent}.v >= ${t.cond.atLeast}`
                : t.cond.kind === "count"
                  ? `count(inputs["t*"].ok) >= ${t.cond.atLeast}`
                  : `all(inputs.*.v < ${t.cond.below})`,
          }
        : {}),
    })),
  };
}

// ---- The oracle: the README's rules, written out ---------------------------------------

export type Final = {
  status: string;
  attempts: number;
  output: Json | null;
  conditionError: boolean;
};
export const BAD = new Set(["failed", "upstream_failed", "cancelled"]);

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
  if (c.kind === "allBelow") {
    // A glob's values, compared one by one: each must be a number (else the condition
    // cannot be evaluated); all() of no values is true.
    let all = true;
    for (const p of t.parents) {
      if (finals[p]!.status !== "completed") continue;
      const out = outputs[p];
      if (!isObj(out) || typeof out.v !== "number") return "error";
      if (!(out.v < c.below)) all = false;
    }
    return all;
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

export interface OracleResult {
  tasks: Final[];
  workflow: string;
}

export function oracle(w: WorkflowGen): OracleResult {
  return decideAll(w, () => 1);
}

/**
 * Decides the tasks in definition order. `firstAttempt(i)` is the attempt a task's round starts
 * at, or undefined for a task that keeps its earlier final state (`kept`).
 */
function decideAll(
  w: WorkflowGen,
  firstAttempt: (i: number) => number | undefined,
  kept: readonly Final[] = [],
): OracleResult {
  const finals: Final[] = [];
  const outputs: (Json | undefined)[] = [];
  const runIt = (t: TaskGen, a0: number): Final => {
    // Retries: attempts a0..a0+retries; attempts up to failUntil fail.
    const last = a0 + t.retries;
    const attempts = Math.min(Math.max(t.failUntil + 1, a0), last);
    return t.failUntil < last
      ? { status: "completed", attempts, output: t.output ?? null, conditionError: false }
      : { status: "failed", attempts, output: null, conditionError: false };
  };
  w.tasks.forEach((t, i) => {
    const a0 = firstAttempt(i);
    if (a0 === undefined) {
      finals[i] = kept[i]!;
      outputs[i] = kept[i]!.status === "completed" ? t.output : undefined;
      return;
    }
    const end = (status: string, conditionError = false): Final => ({
      status,
      attempts: a0,
      output: null,
      conditionError,
    });
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
    else if (!t.cond) f = runIt(t, a0);
    else {
      const holds = conditionHolds(t, finals, outputs);
      if (holds === "error") f = end(t.conditionErrors === "fail" ? "failed" : "skipped", true);
      else f = holds ? runIt(t, a0) : end("skipped");
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

// ---- Rerun, from the README's "Rerun" --------------------------------------------------

/** What a rerun chooses: nothing (every task that did not succeed) or tasks by index. */
export interface RerunGen {
  chosen?: number[];
  failed: boolean;
  downstream: boolean;
}

export const rerunArb = (size: number): fc.Arbitrary<RerunGen> =>
  fc.record({
    chosen: fc.option(
      fc.uniqueArray(fc.integer({ min: 0, max: size - 1 }), { minLength: 1, maxLength: 3 }),
      {
        nil: undefined,
      },
    ),
    failed: fc.boolean(),
    downstream: fc.boolean(),
  });

/**
 * The README's rerun of a workflow that ended (`first`): "the chosen tasks (by default every
 * failed, upstream_failed and cancelled task, or those named, `--failed` keeping those that did
 * not succeed) with their descendants that did not complete (all of them with --downstream)"
 * are decided again, each as its next attempt ("an attempt that was never dispatched is used
 * again") with its whole num_retries; the others keep their state. A completed workflow, or
 * nothing chosen, is refused.
 */
export function oracleRerun(
  w: WorkflowGen,
  first: OracleResult,
  r: RerunGen,
): OracleResult | "refused" {
  if (first.workflow === "completed") return "refused";
  const bad = (i: number) => BAD.has(first.tasks[i]!.status);
  const chosen =
    r.chosen === undefined
      ? w.tasks.flatMap((_, i) => (bad(i) ? [i] : []))
      : r.chosen.filter((i) => !r.failed || bad(i));
  if (chosen.length === 0) return "refused";
  const reset = new Set(chosen);
  const seen = new Set(chosen);
  const walk = [...chosen];
  while (walk.length > 0) {
    const p = walk.pop()!;
    w.tasks.forEach((t, c) => {
      if (!t.parents.includes(p) || seen.has(c)) return;
      seen.add(c);
      walk.push(c);
      if (first.tasks[c]!.status !== "completed" || r.downstream) reset.add(c);
    });
  }
  return decideAll(
    w,
    (i) => {
      if (!reset.has(i)) return undefined;
      const f = first.tasks[i]!;
      const dispatched = f.status === "completed" || (f.status === "failed" && !f.conditionError);
      return f.attempts + (dispatched ? 1 : 0);
    },
    first.tasks,
  );
}

/**
 * A shell command that behaves as the generated task: attempts up to `failUntil` exit 1, later
 * ones write the task's output (the generator's JSON never holds a single quote).
 */
export function shellCommand(t: TaskGen): string {
  const fail = t.failUntil > 0 ? `[ "$DAGQ_ATTEMPT" -le ${t.failUntil} ] && exit 1; ` : "";
  const out =
    t.output === undefined ? "true" : `printf '%s' '${JSON.stringify(t.output)}' > "$DAGQ_OUTPUT"`;
  return `${fail}${out}`;
}
