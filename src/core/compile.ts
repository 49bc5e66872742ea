import type { Condition } from "./condition/index.js";
import {
  checkCondition,
  checkListExpression,
  isGlob,
  matchGlob,
  parseCondition,
} from "./condition/index.js";
import {
  type ConditionErrors,
  type DepPolicy,
  LIMITS,
  RESERVED_NAMES,
  reservedMessage,
  type WorkflowDefinition,
  WorkflowDefinitionSchema,
} from "./definition.js";
import { invalid, taskIssue } from "./definitionIssues.js";
import { DependencyGlobs, MAX_WORK } from "./dependencyGlobs.js";
import { DagqError, ErrorCode, type Issue } from "./errors.js";
import { findCycle, invert, layers } from "./graph.js";
import { envChars, taskMessageIssue } from "./messageSize.js";
import { suggest } from "./nameSuggestion.js";
import { applyParams, type ParamValues, paramsBytes, paramsSizeIssue } from "./params.js";
import { salvage } from "./salvage.js";
import { describeIssues } from "./schemaIssues.js";

/** A task with the workflow defaults applied and its condition parsed. */
export interface TaskSpec {
  readonly name: string;
  readonly command: string;
  readonly depPolicy: DepPolicy;
  readonly condition: Condition | null;
  /** The `map` expression: the task expands into one instance per item of the list it gives. */
  readonly map: Condition | null;
  readonly conditionErrors: ConditionErrors;
  readonly numRetries: number;
  readonly retryBackoffS: number;
  readonly timeoutS: number | null;
  readonly queue: string;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The immutable, validated form of a definition that everything after the edge uses. Edges are
 * stored as compressed sparse rows (offset + flat index arrays): a 100k-task workflow costs a few
 * bytes per edge instead of an array object per task.
 */
export interface CompiledWorkflow {
  readonly definition: WorkflowDefinition;
  readonly size: number;
  readonly tasks: readonly TaskSpec[];
  readonly index: ReadonlyMap<string, number>;
  readonly parentStart: Uint32Array;
  readonly parents: Uint32Array;
  readonly childStart: Uint32Array;
  readonly children: Uint32Array;
  /**
   * How many parents must complete: all → every parent, any → 1, N → N, all_settled → 1,
   * always → 0. 0 for roots.
   */
  readonly need: Uint32Array;
  /** 1 for tasks that wait for every parent to end (all_settled, always) before deciding. */
  readonly waitAll: Uint8Array;
  /**
   * 1 for the tasks whose outcome decides the workflow's: under `result_policy: sinks`, the
   * tasks no other task depends on, not counting `always` tasks (a cleanup task never hides the
   * failure of what it cleans up after); under `all_tasks`, every task.
   */
  readonly judged: Uint8Array;
  /** The workflow's own cap on tasks in flight (max_parallelism), or Infinity. */
  readonly maxParallelism: number;
  /**
   * For tasks with a condition or a map: the parents whose outputs they read, which must be
   * terminal before the task is decided (and whose spilled outputs are fetched for it).
   */
  readonly conditionParents: ReadonlyMap<number, ReadonlySet<number>>;
  /**
   * 1 for the tasks that are ready as soon as the run starts: no dependencies, no condition and
   * no map. Others start pending (a root with a condition or a map is decided at once).
   */
  readonly startsReady: Uint8Array;
  /**
   * For the children of mapped tasks: those mapped dependencies. Until such a dependency has
   * expanded (or ended without expanding), the child's number of dependencies is unknown.
   */
  readonly mappedParents: ReadonlyMap<number, readonly number[]>;
  /** Length of the longest path from a root: the per-layer view groups by it. */
  readonly layer: Uint32Array;
  /** Task indices sorted by name, so a name-prefix query is a binary search. */
  readonly byName: Uint32Array;
  /** The parameters' values (defaults, or what the submission gave): `params.x`, DAGQ_PARAMS. */
  readonly params: ParamValues;
}

/**
 * Validates an untrusted document (parsed JSON or YAML) and compiles it, with the parameter
 * values a submission gives in place of the defaults; throws DagqError.
 */
export function compileDefinition(
  input: unknown,
  opts: { readonly params?: ParamValues } = {},
): CompiledWorkflow {
  const def = parseDefinition(input);
  return compile(opts.params ? applyParams(def, opts.params) : def);
}

export function parseDefinition(input: unknown): WorkflowDefinition {
  const parsed = WorkflowDefinitionSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = describeIssues(input, parsed.error.issues);
  // Names and the graph in the same round, on what of the definition is sound.
  const rest = salvage(input, parsed.error.issues);
  if (rest !== null) {
    try {
      compile(rest);
    } catch (e) {
      if (!(e instanceof DagqError)) throw e;
      const known = new Set(issues.map((i) => i.path));
      for (const issue of e.details.issues ?? []) if (!known.has(issue.path)) issues.push(issue);
    }
  }
  throw invalid(issues);
}

export function compile(def: WorkflowDefinition): CompiledWorkflow {
  const n = def.tasks.length;
  const issues: Issue[] = [];
  const params = def.params ?? {};
  const paramsTooBig = paramsSizeIssue(params);
  if (paramsTooBig)
    issues.push({ path: "params", code: ErrorCode.TOO_LARGE, message: paramsTooBig });
  const withParams = paramsTooBig ? 0 : paramsBytes(params);
  const index = new Map<string, number>();
  def.tasks.forEach((t, i) => {
    // Checked here, not in the schema: a refine per name costs ~20 ms at 100k tasks.
    if (RESERVED_NAMES.includes(t.name))
      issues.push(
        taskIssue(i, t.name, "name", ErrorCode.INVALID_DEFINITION, reservedMessage("a task name")),
      );
    const first = index.get(t.name);
    if (first === undefined) index.set(t.name, i);
    else
      issues.push(
        taskIssue(
          i,
          t.name,
          "name",
          ErrorCode.DUPLICATE_TASK,
          `duplicate task name (first defined at tasks[${first}])`,
        ),
      );
  });

  const parentStart = new Uint32Array(n + 1);
  const parentList: number[] = [];
  const need = new Uint32Array(n);
  const waitAll = new Uint8Array(n);
  const globs = new DependencyGlobs(
    def.tasks.map((t) => t.name),
    index,
  );
  /**
   * The dependencies by name, globs expanded, of each task with a condition or a map (what they
   * may read); only those: 100,000 arrays for tasks without one would cost compile time for
   * nothing.
   */
  const depNames = new Map<number, string[]>();
  const mapped = new Set(def.tasks.flatMap((t) => (t.map === undefined ? [] : [t.name])));
  def.tasks.forEach((t, i) => {
    waitAll[i] = t.dep_policy === "all_settled" || t.dep_policy === "always" ? 1 : 0;
    parentStart[i] = parentList.length;
    const seen = new Set<number>();
    const named = new Set<number>();
    const names: string[] | undefined =
      t.condition === undefined && t.map === undefined ? undefined : [];
    if (names) depNames.set(i, names);
    t.depends_on.forEach((dep, k) => {
      const at = `depends_on[${k}]`;
      if (DependencyGlobs.isGlob(dep)) {
        const matched = globs.expand(dep);
        if (matched === "too much work") {
          issues.push(
            taskIssue(
              i,
              t.name,
              at,
              ErrorCode.TOO_LARGE,
              `the globs of depends_on compare more than ${MAX_WORK} names in all: start them with a literal prefix (sweep/*)`,
            ),
          );
          return;
        }
        let added = 0;
        for (const p of matched) {
          if (p === i) continue;
          added++;
          // A task a glob matches again (or that is also named) is one dependency.
          if (seen.has(p)) continue;
          seen.add(p);
          parentList.push(p);
          names?.push(def.tasks[p]!.name);
        }
        if (added === 0)
          issues.push(
            taskIssue(
              i,
              t.name,
              at,
              ErrorCode.UNKNOWN_TASK,
              `"${dep}" matches no task${matched.length > 0 ? " but this one" : ""}`,
            ),
          );
        return;
      }
      const p = index.get(dep);
      if (p === undefined)
        issues.push(
          taskIssue(
            i,
            t.name,
            at,
            ErrorCode.UNKNOWN_TASK,
            `depends on unknown task "${dep}"${suggest(dep, index)}`,
          ),
        );
      else if (p === i) issues.push(taskIssue(i, t.name, at, ErrorCode.CYCLE, "depends on itself"));
      else if (named.has(p))
        issues.push(taskIssue(i, t.name, at, ErrorCode.INVALID_DEFINITION, `lists "${dep}" twice`));
      else {
        // Named and matched by a glob as well is one dependency, not a mistake.
        named.add(p);
        if (seen.has(p)) return;
        seen.add(p);
        parentList.push(p);
        names?.push(dep);
      }
    });
    need[i] = requiredParents(t.dep_policy, seen.size, i, t.name, issues);
  });
  parentStart[n] = parentList.length;
  if (parentList.length > LIMITS.maxEdges) {
    issues.push({
      path: "tasks",
      code: ErrorCode.TOO_LARGE,
      message: `${parentList.length} dependencies exceed the limit of ${LIMITS.maxEdges}`,
    });
  }
  const parents = Uint32Array.from(parentList);
  const { childStart, children } = invert(n, parentStart, parents);

  const specs: TaskSpec[] = [];
  const envSizes = new Map<object, number>();
  const conditionParents = new Map<number, Set<number>>();
  const expression = (i: number, key: "condition" | "map", source: string | undefined) => {
    if (source === undefined) return null;
    const t = def.tasks[i]!;
    try {
      const parsed = parseCondition(source);
      const refs = resolveRefs(parsed, key, depNames.get(i)!, { index, mapped }, i, t.name, issues);
      const reads = conditionParents.get(i) ?? new Set<number>();
      for (const p of refs) reads.add(p);
      conditionParents.set(i, reads);
      for (const name of parsed.params)
        if (!Object.hasOwn(params, name))
          issues.push(
            taskIssue(
              i,
              t.name,
              key,
              ErrorCode.CONDITION_REFERENCE,
              `${key} reads params.${name}, which the workflow does not declare${suggest(name, new Map(Object.keys(params).map((k) => [k, 0])))}`,
            ),
          );
      const problems = key === "map" ? checkListExpression(parsed) : checkCondition(parsed);
      for (const problem of problems)
        issues.push(taskIssue(i, t.name, key, ErrorCode.CONDITION_TYPE, problem));
      return parsed;
    } catch (e) {
      if (!(e instanceof DagqError)) throw e;
      issues.push(taskIssue(i, t.name, key, e.code, e.message));
      return null;
    }
  };
  def.tasks.forEach((t, i) => {
    const condition: Condition | null = expression(i, "condition", t.condition);
    const map: Condition | null = expression(i, "map", t.map);
    const env =
      t.env && Object.keys(t.env).length > 0 ? { ...def.defaults.env, ...t.env } : def.defaults.env;
    const timeoutS = t.timeout_s ?? def.defaults.timeout_s ?? null;
    const chars = envSizes.get(env) ?? envChars(env);
    envSizes.set(env, chars);
    const tooBig = taskMessageIssue(t.name, t.command, env, timeoutS, chars, withParams);
    if (tooBig) issues.push(taskIssue(i, t.name, "command", ErrorCode.TOO_LARGE, tooBig));
    specs.push({
      name: t.name,
      command: t.command,
      depPolicy: t.dep_policy,
      condition,
      map,
      conditionErrors: t.condition_errors ?? def.defaults.condition_errors,
      numRetries: t.num_retries ?? def.defaults.num_retries,
      retryBackoffS: t.retry_backoff_s ?? def.defaults.retry_backoff_s,
      timeoutS,
      queue: t.queue ?? def.defaults.queue,
      // Shared, not copied, when the task adds nothing: one object per task costs ~60 B at 100k.
      env,
    });
  });

  // Over the edges that resolved, so a cycle is reported in the same round as bad references.
  {
    const cycle = findCycle(n, parentStart, parents);
    if (cycle) {
      const names = cycle.map((i) => def.tasks[i]!.name);
      const first = cycle[0]!;
      issues.push(
        taskIssue(
          first,
          names[0]!,
          "depends_on",
          ErrorCode.CYCLE,
          `is part of a dependency cycle: ${[...names, names[0]].join(" -> ")} (A -> B: A depends on B)`,
        ),
      );
    }
  }
  if (issues.length > 0) throw invalid(issues);

  const layer = layers(n, parentStart, childStart, children);
  const mappedParents = new Map<number, number[]>();
  specs.forEach((spec, p) => {
    if (spec.map === null) return;
    for (let k = childStart[p]!; k < childStart[p + 1]!; k++) {
      const c = children[k]!;
      const list = mappedParents.get(c) ?? [];
      list.push(p);
      mappedParents.set(c, list);
    }
  });
  const byName = Uint32Array.from(def.tasks.map((_, i) => i)).sort((a, b) =>
    compareNames(def.tasks[a]!.name, def.tasks[b]!.name),
  );
  return {
    definition: def,
    size: n,
    tasks: specs,
    index,
    parentStart,
    parents,
    childStart,
    children,
    need,
    waitAll,
    judged: judgedTasks(def, childStart, children),
    maxParallelism: def.max_parallelism ?? Number.POSITIVE_INFINITY,
    conditionParents,
    startsReady: Uint8Array.from(specs, (spec, i) =>
      parentStart[i] === parentStart[i + 1] && spec.condition === null && spec.map === null ? 1 : 0,
    ),
    mappedParents,
    layer,
    byName,
    params,
  };
}

function requiredParents(
  policy: DepPolicy,
  parentCount: number,
  i: number,
  name: string,
  issues: Issue[],
): number {
  if (parentCount === 0) {
    if (typeof policy === "number")
      issues.push(
        taskIssue(
          i,
          name,
          "dep_policy",
          ErrorCode.BAD_DEP_POLICY,
          `dep_policy ${policy} needs dependencies, but the task has none`,
        ),
      );
    return 0;
  }
  if (policy === "all") return parentCount;
  if (policy === "any" || policy === "all_settled") return 1;
  if (policy === "always") return 0;
  if (policy > parentCount)
    issues.push(
      taskIssue(
        i,
        name,
        "dep_policy",
        ErrorCode.BAD_DEP_POLICY,
        `dep_policy ${policy} is more than its ${parentCount} dependencies`,
      ),
    );
  return policy;
}

function judgedTasks(
  def: WorkflowDefinition,
  childStart: Uint32Array,
  children: Uint32Array,
): Uint8Array {
  const n = def.tasks.length;
  const judged = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (def.result_policy === "all_tasks") {
      judged[i] = 1;
      continue;
    }
    let final = 1;
    for (let k = childStart[i]!; k < childStart[i + 1]! && final; k++) {
      if (def.tasks[children[k]!]!.dep_policy !== "always") final = 0;
    }
    judged[i] = final;
  }
  return judged;
}

/**
 * The parents an expression reads, by index. A mapped dependency `train` is read through its
 * instances, `train[0]` ... : a glob sees them (`inputs["train[*]"]`, `inputs.*`), and reading
 * `inputs.train` itself is an error, since no output is ever kept under that name.
 */
function resolveRefs(
  cond: Condition,
  key: "condition" | "map",
  deps: readonly string[],
  names: { readonly index: ReadonlyMap<string, number>; readonly mapped: ReadonlySet<string> },
  i: number,
  name: string,
  issues: Issue[],
): Set<number> {
  const { index, mapped } = names;
  const out = new Set<number>();
  // What a glob may match: each dependency's name, and for a mapped one an instance's name.
  const visible = new Map<string, number>();
  for (const d of deps) {
    visible.set(d, index.get(d)!);
    if (mapped.has(d)) visible.set(`${d}[0]`, index.get(d)!);
  }
  for (const ref of cond.refs) {
    if (ref.kind === "glob") {
      const matched = matchGlob(ref.pattern, [...visible.keys()]);
      if (matched.length === 0)
        issues.push(
          taskIssue(
            i,
            name,
            key,
            ErrorCode.CONDITION_REFERENCE,
            `inputs["${ref.pattern}"] matches none of depends_on`,
          ),
        );
      for (const m of matched) out.add(visible.get(m)!);
    } else if (!deps.includes(ref.name) || isGlob(ref.name)) {
      issues.push(
        taskIssue(
          i,
          name,
          key,
          ErrorCode.CONDITION_REFERENCE,
          `${key} reads inputs["${ref.name}"], which is not in depends_on`,
        ),
      );
    } else if (mapped.has(ref.name)) {
      issues.push(
        taskIssue(
          i,
          name,
          key,
          ErrorCode.CONDITION_REFERENCE,
          `${key} reads inputs["${ref.name}"], a mapped task: its instances' outputs are read as inputs["${ref.name}[*]"]`,
        ),
      );
    } else {
      const p = index.get(ref.name);
      if (p !== undefined) out.add(p);
    }
  }
  return out;
}

export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
