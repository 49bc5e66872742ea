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
/** A map: over a dependency's `items` (`map: inputs.tP.items`), or a root's over `params.items`. */
export type MapGen = { kind: "parent"; parent: number } | { kind: "params" };

export interface TaskGen {
  parents: number[];
  policy: Policy;
  cond?: Cond;
  map?: MapGen;
  conditionErrors: "skip" | "fail";
  retries: number;
  /** Attempts up to this number fail (for a map's instance k: up to failUntil - k). */
  failUntil: number;
  output: Json | undefined;
}

export interface WorkflowGen {
  tasks: TaskGen[];
  resultPolicy: "sinks" | "all_tasks";
  maxParallelism?: number;
  /** The items roots' maps read (`params.items`). */
  items?: Json[];
}

/** A map's item; an instance writes its item as its output. */
const itemArb: fc.Arbitrary<Json> = fc.oneof(
  fc.record({ v: fc.integer({ min: 0, max: 4 }), ok: fc.boolean() }),
  fc.record({ v: fc.integer({ min: 0, max: 4 }) }),
  fc.constant(null),
);
const itemsArb = fc.array(itemArb, { maxLength: 3 });

const outputArb: fc.Arbitrary<Json | undefined> = fc.oneof(
  fc.record({ v: fc.integer({ min: 0, max: 4 }), ok: fc.boolean() }),
  fc.record({ v: fc.integer({ min: 0, max: 4 }) }), // no `ok`: a count() over it cannot be evaluated
  fc.record({ ok: fc.constantFrom("yes", 1) }), // `ok` not a boolean, no `v`
  fc.record({ v: fc.integer({ min: 0, max: 4 }), ok: fc.boolean(), items: itemsArb }), // a list to map
  fc.record({ items: fc.constant("none") }), // `items` not a list
  fc.constant(null),
  fc.constant(undefined), // the task wrote no output
);

export const workflowArb = (maxTasks = 18): fc.Arbitrary<WorkflowGen> =>
  fc.integer({ min: 1, max: maxTasks }).chain((n) =>
    fc
      .record({
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
                mapped: fc.constantFrom(false, false, false, true),
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
                const map: MapGen | undefined = !r.mapped
                  ? undefined
                  : parents.length === 0
                    ? { kind: "params" }
                    : { kind: "parent", parent: parents[0]! };
                return {
                  parents,
                  policy: parents.length === 0 ? "all" : policy,
                  ...(cond ? { cond } : {}),
                  ...(map ? { map } : {}),
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
        items: itemsArb,
      })
      .map((w) => ({ ...w, tasks: readable(w.tasks) })),
  );

/**
 * The README: a mapped dependency is read through its instances, never by its own name. So a
 * field condition or a map reading a mapped parent reads another parent, or none.
 */
function readable(tasks: TaskGen[]): TaskGen[] {
  const plain = (p: number) => tasks[p]!.map === undefined;
  return tasks.map((t) => {
    const first = t.parents.find(plain);
    const out: TaskGen = { ...t };
    if (t.cond?.kind === "field" && !plain(t.cond.parent))
      out.cond = first === undefined ? { kind: "count", atLeast: 1 } : { ...t.cond, parent: first };
    if (t.map?.kind === "parent" && !plain(t.map.parent)) {
      if (first === undefined) delete out.map;
      else out.map = { kind: "parent", parent: first };
    }
    return out;
  });
}

export function definitionOf(w: WorkflowGen, command: (t: TaskGen) => string = () => "x"): unknown {
  return {
    name: "oracle",
    result_policy: w.resultPolicy,
    ...(w.maxParallelism ? { max_parallelism: w.maxParallelism } : {}),
    ...(w.items ? { params: { items: w.items } } : {}),
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
      ...(t.map
        ? { map: t.map.kind === "params" ? "params.items" : `inputs.t${t.map.parent}.items` }
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
  /** Failed because its map could not be evaluated or was not a list: it never ran. */
  mapError?: true;
};
export const BAD = new Set(["failed", "upstream_failed", "cancelled"]);

function isObj(v: Json | undefined): v is { readonly [k: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * What a task counts as its dependencies: its parents, each mapped one that expanded replaced
 * by its instances (README, "Dynamic fan-out": "depends on every instance").
 */
interface Dep {
  readonly name: string;
  readonly final: Final;
  /** What it wrote (undefined: nothing), when it completed. */
  readonly output: Json | undefined;
}

/** true / false, or "error" when the condition cannot be evaluated (README: it skips the task). */
function conditionHolds(
  t: TaskGen,
  deps: readonly Dep[],
  byTask: (p: number) => Dep,
): boolean | "error" {
  const c = t.cond!;
  if (c.kind === "field") {
    const d = byTask(c.parent);
    if (d.final.status !== "completed") return "error"; // it did not complete
    if (!isObj(d.output) || typeof d.output.v !== "number") return "error"; // missing field
    return d.output.v >= c.atLeast;
  }
  const completed = deps.filter((d) => d.final.status === "completed");
  if (c.kind === "allBelow") {
    // A glob's values, compared one by one: each must be a number (else the condition
    // cannot be evaluated); all() of no values is true.
    let all = true;
    for (const d of completed) {
      if (!isObj(d.output) || typeof d.output.v !== "number") return "error";
      if (!(d.output.v < c.below)) all = false;
    }
    return all;
  }
  // A glob reads the dependencies that completed (instances by their names: `t3[0]` matches
  // `t*`); count() needs true/false values.
  let trues = 0;
  for (const d of completed) {
    if (!isObj(d.output) || typeof d.output.ok !== "boolean") return "error";
    if (d.output.ok) trues++;
  }
  return trues >= c.atLeast;
}

export interface OracleResult {
  tasks: Final[];
  /** The instances of the maps that expanded, by name (`t3[0]`), map by map in item order. */
  instances: Record<string, Final>;
  /** The items each map that expanded ran over, by task. */
  expanded: ReadonlyMap<number, readonly Json[]>;
  workflow: string;
}

export function oracle(w: WorkflowGen): OracleResult {
  return decideAll(
    w,
    () => 1,
    () => 1,
  );
}

/** An attempt round from a0, with retries; attempts up to failUntil fail. */
function runRound(retries: number, failUntil: number, a0: number, output: Json): Final {
  const last = a0 + retries;
  const attempts = Math.min(Math.max(failUntil + 1, a0), last);
  return failUntil < last
    ? { status: "completed", attempts, output, conditionError: false }
    : { status: "failed", attempts, output: null, conditionError: false };
}

/** A map's instance k runs its task's command over item k: it fails up to failUntil - k. */
function runInstance(t: TaskGen, k: number, item: Json, a0: number): Final {
  return runRound(t.retries, Math.max(0, t.failUntil - k), a0, item);
}

/** The mapped task, as the summary of its instances: completed when all did, else failed. */
function summary(instances: readonly Final[]): Final {
  const ok = instances.every((f) => f.status === "completed");
  return { status: ok ? "completed" : "failed", attempts: 0, output: null, conditionError: false };
}

/**
 * Decides the tasks in definition order. `firstAttempt(i)` is the attempt a task's round starts
 * at, or undefined for a task that keeps its earlier final state (in `kept`); `instanceFirst`
 * the same for an instance of a map that expanded in `kept` (it keeps its items).
 */
function decideAll(
  w: WorkflowGen,
  firstAttempt: (i: number) => number | undefined,
  instanceFirst: (name: string) => number | undefined,
  kept?: OracleResult,
): OracleResult {
  const finals: Final[] = [];
  const instances: Record<string, Final> = {};
  const expanded = new Map<number, readonly Json[]>();
  /** What each task counts as for its children. */
  const depsOf: Dep[][] = [];
  const outputOf = (t: TaskGen, f: Final) => (f.status === "completed" ? t.output : undefined);
  const expand = (i: number, items: readonly Json[], round: (name: string, k: number) => Final) => {
    expanded.set(i, items);
    const mine = items.map((item, k) => {
      const name = `t${i}[${k}]`;
      const f = round(name, k);
      instances[name] = f;
      return { name, final: f, output: f.status === "completed" ? item : undefined };
    });
    finals[i] = summary(mine.map((d) => d.final));
    depsOf[i] = mine;
  };
  w.tasks.forEach((t, i) => {
    const a0 = firstAttempt(i);
    if (a0 === undefined) {
      const before = kept!.tasks[i]!;
      const items = kept!.expanded.get(i);
      if (items !== undefined) {
        // "A map expands once": the instances that rerun, run over the same items.
        expand(i, items, (name, k) => {
          const ia0 = instanceFirst(name);
          return ia0 === undefined ? kept!.instances[name]! : runInstance(t, k, items[k]!, ia0);
        });
        return;
      }
      finals[i] = before;
      depsOf[i] = [{ name: `t${i}`, final: before, output: outputOf(t, before) }];
      return;
    }
    const end = (status: string, flags: Partial<Final> = {}): Final => ({
      status,
      attempts: a0,
      output: null,
      conditionError: false,
      ...flags,
    });
    const deps = t.parents.flatMap((p) => depsOf[p]!);
    const byTask = (p: number) => depsOf[p]![0]!;
    const completed = deps.filter((d) => d.final.status === "completed").length;
    const bad = deps.filter((d) => BAD.has(d.final.status)).length;
    const met =
      t.parents.length === 0 ||
      (t.policy === "all"
        ? completed === deps.length
        : t.policy === "any" || t.policy === "all_settled"
          ? completed >= 1
          : t.policy === "always"
            ? true
            : completed >= t.policy);
    let f: Final | undefined;
    if (!met) f = end(bad > 0 ? "upstream_failed" : "skipped");
    else if (t.cond) {
      const holds = conditionHolds(t, deps, byTask);
      if (holds === "error")
        f = end(t.conditionErrors === "fail" ? "failed" : "skipped", { conditionError: true });
      else if (!holds) f = end("skipped");
    }
    if (f === undefined && t.map) {
      // "The task fails ... when its map cannot be evaluated or does not give a list"; "an
      // empty list gives no instance: the task is skipped".
      let items: Json | undefined = w.items ?? [];
      if (t.map.kind === "parent") {
        const d = byTask(t.map.parent);
        items = d.final.status === "completed" && isObj(d.output) ? d.output.items : undefined;
      }
      if (!Array.isArray(items)) f = end("failed", { mapError: true });
      else if (items.length === 0) f = end("skipped");
      else {
        expand(i, items, (_, k) => runInstance(t, k, items[k]!, 1));
        return;
      }
    }
    f ??= runRound(t.retries, t.failUntil, a0, t.output ?? null);
    finals[i] = f;
    depsOf[i] = [{ name: `t${i}`, final: f, output: outputOf(t, f) }];
  });
  // The workflow: judged tasks are the final ones (not counting `always` children), or all;
  // "its instances are not judged one by one": a mapped task is, by its own state.
  const judged = w.tasks.map((_, i) => {
    if (w.resultPolicy === "all_tasks") return true;
    return w.tasks.every((c) => !c.parents.includes(i) || c.policy === "always");
  });
  const failed = finals.some((f, i) => judged[i] && BAD.has(f.status));
  return { tasks: finals, instances, expanded, workflow: failed ? "failed" : "completed" };
}

// ---- Rerun, from the README's "Rerun" and "Dynamic fan-out" ------------------------------

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
 *
 * Maps: "a map expands once. Rerunning `train` (or its instances that failed, chosen by
 * default) runs those instances again over the same items, `train` running again while they
 * do. A rerun that would reset a dependency `train` expanded from is refused."
 */
export function oracleRerun(
  w: WorkflowGen,
  first: OracleResult,
  r: RerunGen,
): OracleResult | "refused" {
  if (first.workflow === "completed") return "refused";
  const finalOf = (name: string) => first.instances[name] ?? first.tasks[Number(name.slice(1))]!;
  const bad = (name: string) => BAD.has(finalOf(name).status);
  const instancesOf = (i: number) => (first.expanded.get(i) ?? []).map((_, k) => `t${i}[${k}]`);
  /** A task as the rerun sees it: an expanded map stands for its instances. */
  const nodes = (i: number) => (first.expanded.has(i) ? instancesOf(i) : [`t${i}`]);
  const taskOf = (name: string) => Number(/^t(\d+)/.exec(name)![1]);
  const chosen =
    r.chosen === undefined
      ? w.tasks.flatMap((_, i) => nodes(i)).filter(bad)
      : r.chosen.flatMap(nodes).filter((n) => !r.failed || bad(n));
  if (chosen.length === 0) return "refused";
  const reset = new Set(chosen);
  const seen = new Set(chosen);
  const walk = [...chosen];
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    walk.push(name);
    if (finalOf(name).status !== "completed" || r.downstream) reset.add(name);
  };
  /** The tasks that depend on a task, or on an instance's map. */
  const children = (name: string) =>
    w.tasks.flatMap((c, i) => (c.parents.includes(taskOf(name)) ? [i] : []));
  while (walk.length > 0) {
    for (const c of children(walk.pop()!)) {
      // An expanded map is never reset itself: its instances are, as its descendants.
      if (first.expanded.has(c)) {
        if (!seen.has(`t${c}`)) seen.add(`t${c}`);
        for (const n of instancesOf(c)) visit(n);
      } else visit(`t${c}`);
    }
  }
  for (const name of reset) if (children(name).some((c) => first.expanded.has(c))) return "refused";
  return decideAll(
    w,
    (i) => {
      if (!reset.has(`t${i}`)) return undefined;
      const f = first.tasks[i]!;
      const dispatched =
        f.status === "completed" || (f.status === "failed" && !f.conditionError && !f.mapError);
      return f.attempts + (dispatched ? 1 : 0);
    },
    (name) => (reset.has(name) ? first.instances[name]!.attempts + 1 : undefined),
    first,
  );
}

/**
 * A shell command that behaves as the generated task: attempts up to `failUntil` exit 1, later
 * ones write the task's output (the generator's JSON never holds a single quote).
 */
export function shellCommand(t: TaskGen): string {
  if (t.map) {
    // An instance k fails its attempts up to failUntil - k, then writes its item as its output.
    const fail = `[ "$DAGQ_ATTEMPT" -le $(( ${t.failUntil} - DAGQ_MAP_INDEX )) ] && exit 1; `;
    return `${fail}cp "$DAGQ_MAP_ITEM" "$DAGQ_OUTPUT"`;
  }
  const fail = t.failUntil > 0 ? `[ "$DAGQ_ATTEMPT" -le ${t.failUntil} ] && exit 1; ` : "";
  const out =
    t.output === undefined ? "true" : `printf '%s' '${JSON.stringify(t.output)}' > "$DAGQ_OUTPUT"`;
  return `${fail}${out}`;
}
