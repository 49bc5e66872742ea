import type { CompiledWorkflow } from "./compile.js";
import { evaluateCondition } from "./condition/index.js";
import type { ApplyOptions, Event } from "./events.js";
import type { Json } from "./json.js";
import { rerunPlan } from "./rerunPlan.js";
import type { RunState } from "./runState.js";
import {
  CONDITION_ERROR_PREFIX,
  isBadCode,
  StateCode,
  TASK_STATES,
  type TaskState,
} from "./states.js";

/**
 * Propagates a task that became terminal to its descendants. Iterative worklist: a 100k-task
 * chain of skips must not overflow the stack.
 */
export function settle(run: RunState, first: number, now: number, opts: ApplyOptions): void {
  const { childStart, children } = run.def;
  const work = [first];
  while (work.length > 0) {
    const p = work.pop()!;
    for (let k = childStart[p]!; k < childStart[p + 1]!; k++) {
      const c = children[k]!;
      // Only pending children decide: an `any` merge that is already ready must not be
      // readied (and dispatched, and counted) again by its other parents.
      if (run.status[c] === StateCode.pending && decide(run, c, now, opts)) work.push(c);
    }
  }
}

/**
 * Decides a pending task from its parents' outcomes; returns true if it became terminal.
 *
 * The rule (README, "Semantics"), which must not depend on the order parents finish in:
 * - the policy is met once enough parents completed (`all_settled` and `always` also wait for
 *   every parent to end); then the condition decides between ready and skipped;
 * - once it can no longer be met, the task is `upstream_failed` if any parent failed, was
 *   cancelled or is upstream_failed (at once: nothing can undo that), else `skipped` — but only
 *   when every parent has ended, since one still running could yet fail.
 */
function decide(run: RunState, c: number, now: number, opts: ApplyOptions): boolean {
  const def = run.def;
  const total = def.parentStart[c + 1]! - def.parentStart[c]!;
  const need = def.need[c]!;
  const done = run.done[c]!;
  const allEnded = run.term[c] === total;
  if (def.waitAll[c] && !allEnded) return false;
  if (done >= need) return decideCondition(run, c, now, opts);
  const unmet = run.term[c]! - done;
  if (unmet <= total - need) return false;
  const bad = run.bad[c]!;
  if (bad > 0) {
    const skipped = unmet - bad;
    return finish(
      run,
      c,
      StateCode.upstream_failed,
      now,
      `${bad} of ${total} dependencies did not succeed (${badParents(run, c)})${skipped > 0 ? ` and ${skipped} were skipped` : ""}; dep_policy ${describePolicy(def, c)} can no longer be met`,
    );
  }
  if (!allEnded) return false;
  return finish(
    run,
    c,
    StateCode.skipped,
    now,
    `only ${done} of ${total} dependencies completed, the others were skipped; dep_policy ${describePolicy(def, c)} not met`,
  );
}

/** The policy is met: the condition, if any, decides between ready and skipped (or failed). */
function decideCondition(run: RunState, c: number, now: number, opts: ApplyOptions): boolean {
  const spec = run.def.tasks[c]!;
  if (spec.condition !== null) {
    // Wait until every parent the condition reads has an outcome: the result must not
    // depend on the order in which parents finish.
    if (run.condTerm.get(c)! < run.def.conditionParents.get(c)!.size) return false;
    const result = evaluateCondition(
      spec.condition,
      completedInputs(run, c, opts.resolvedOutputs),
      run.def.params,
    );
    if (!result.ok) {
      const reason = `${CONDITION_ERROR_PREFIX}${result.reason}`;
      return finish(
        run,
        c,
        spec.conditionErrors === "fail" ? StateCode.failed : StateCode.skipped,
        now,
        reason,
      );
    }
    if (!result.value) {
      return finish(run, c, StateCode.skipped, now, `condition is false: ${spec.condition.source}`);
    }
  }
  run.write(c, { status: StateCode.ready });
  return false;
}

function finish(run: RunState, i: number, status: number, now: number, reason: string): true {
  run.write(i, { status, finishedAt: now, reason });
  return true;
}

/**
 * The outputs of the parents of `c` that completed, keyed by name, in definition order; an
 * output found in `resolved` (fetched from its blob) is given as that value.
 */
export function completedInputs(
  run: RunState,
  c: number,
  resolved?: ReadonlyMap<number, Json>,
): Map<string, Json> {
  const { parentStart, parents, tasks } = run.def;
  const inputs = new Map<string, Json>();
  for (let k = parentStart[c]!; k < parentStart[c + 1]!; k++) {
    const p = parents[k]!;
    if (run.status[p] !== StateCode.completed) continue;
    inputs.set(tasks[p]!.name, resolved?.get(p) ?? run.outputs.get(p) ?? null);
  }
  return inputs;
}

/**
 * The tasks whose outputs the conditions decided in a batch of `events` may read: the
 * condition parents of every child of a task completing in it, of every task a rerun in it
 * resets (and, for a `reconcile`, of every pending task with a condition). The serverless path fetches those of them that were spilled
 * to blobs before it applies the batch, and only those.
 */
export function outputsConditionsRead(
  run: RunState,
  events: readonly Event[],
  opts: { readonly reconcile?: boolean } = {},
): Set<number> {
  const { childStart, children, conditionParents } = run.def;
  const wanted = new Set<number>();
  if (conditionParents.size === 0) return wanted;
  if (opts.reconcile) {
    for (const [c, ps] of conditionParents)
      if (run.status[c] === StateCode.pending) for (const p of ps) wanted.add(p);
  }
  for (const e of events) {
    if (e.kind === "rerun") {
      // The reset tasks are decided again at once, from the outputs they read.
      const plan = rerunPlan(run, e);
      if ("reset" in plan)
        for (const c of plan.reset) for (const p of conditionParents.get(c) ?? []) wanted.add(p);
      continue;
    }
    if (e.kind !== "completed" || !(e.task >= 0 && e.task < run.size)) continue;
    for (let k = childStart[e.task]!; k < childStart[e.task + 1]!; k++) {
      for (const p of conditionParents.get(children[k]!) ?? []) wanted.add(p);
    }
  }
  return wanted;
}

/**
 * Every direct parent's state, by name, for tasks that run whatever their parents did
 * (`always`, `all_settled`): they receive it as `DAGQ_PARENT_STATES`.
 */
export function parentStates(run: RunState, c: number): Map<string, TaskState> {
  const { parentStart, parents, tasks } = run.def;
  const states = new Map<string, TaskState>();
  for (let k = parentStart[c]!; k < parentStart[c + 1]!; k++) {
    const p = parents[k]!;
    states.set(tasks[p]!.name, TASK_STATES[run.status[p]!]!);
  }
  return states;
}

/** Names the parents that did not succeed, a few of them, for a reason a user reads. */
function badParents(run: RunState, c: number): string {
  const { parentStart, parents, tasks } = run.def;
  const shown: string[] = [];
  let more = 0;
  for (let k = parentStart[c]!; k < parentStart[c + 1]!; k++) {
    const s = run.status[parents[k]!]!;
    if (!isBadCode(s)) continue;
    if (shown.length < 3) shown.push(`"${tasks[parents[k]!]!.name}" ${TASK_STATES[s]}`);
    else more++;
  }
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}

function describePolicy(def: CompiledWorkflow, c: number): string {
  const p = def.tasks[c]!.depPolicy;
  return typeof p === "number" ? `${p} (at least ${p} must complete)` : `"${p}"`;
}

/** Decides the given tasks that are pending (a rerun's reset tasks), in any order. */
export function decideTasks(
  run: RunState,
  tasks: readonly number[],
  now: number,
  opts: ApplyOptions,
): void {
  for (const i of tasks) {
    if (run.status[i] === StateCode.pending && decide(run, i, now, opts)) settle(run, i, now, opts);
  }
}

export function decidePending(run: RunState, now: number, opts: ApplyOptions): void {
  if (run.wf.status !== "running") return;
  for (let i = 0; i < run.size; i++) {
    if (run.status[i] === StateCode.pending && decide(run, i, now, opts)) settle(run, i, now, opts);
  }
}
