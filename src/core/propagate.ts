import type { CompiledWorkflow } from "./compile.js";
import { evaluateCondition } from "./condition/index.js";
import type { ApplyOptions } from "./events.js";
import type { Json } from "./json.js";
import type { RunState } from "./runState.js";
import { T, TASK_STATES } from "./states.js";

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
      if (run.status[c] === T.pending && decide(run, c, now, opts)) work.push(c);
    }
  }
}

/** Decides a pending task from its parents' outcomes; returns true if it became terminal. */
function decide(run: RunState, c: number, now: number, opts: ApplyOptions): boolean {
  const def = run.def;
  const total = def.parentStart[c + 1]! - def.parentStart[c]!;
  const need = def.need[c]!;
  const bad = run.bad[c]!;
  if (bad > total - need) {
    const culprit = firstParent(
      run,
      c,
      (s) => s === T.failed || s === T.upstream_failed || s === T.cancelled,
    );
    return finish(
      run,
      c,
      T.upstream_failed,
      now,
      `${bad} of ${total} dependencies did not succeed (e.g. "${culprit}": ${TASK_STATES[run.status[def.index.get(culprit)!]!]}) and dep_policy ${describePolicy(def, c)} can no longer be met`,
    );
  }
  if (run.done[c]! >= need) {
    const spec = def.tasks[c]!;
    if (spec.condition !== null) {
      // Wait until every parent the condition reads has an outcome: the result must not
      // depend on the order in which parents finish.
      if (run.condTerm.get(c)! < def.conditionParents.get(c)!.size) return false;
      const result = evaluateCondition(spec.condition, completedInputs(run, c, opts.resolveOutput));
      if (!result.ok || !result.value) {
        const reason = result.ok
          ? `condition is false: ${spec.condition.source}`
          : `condition could not be evaluated: ${result.reason}`;
        return finish(run, c, T.skipped, now, reason);
      }
    }
    run.write(c, { status: T.ready });
    return false;
  }
  if (run.term[c] === total) {
    return finish(
      run,
      c,
      T.skipped,
      now,
      `only ${run.done[c]} of ${total} dependencies completed, the others were skipped; dep_policy ${describePolicy(def, c)} not met`,
    );
  }
  return false;
}

function finish(run: RunState, i: number, status: number, now: number, reason: string): true {
  run.write(i, { status, finishedAt: now, reason });
  return true;
}

/** The outputs of the parents of `c` that completed, keyed by name, in definition order. */
export function completedInputs(
  run: RunState,
  c: number,
  resolve?: (task: number, stored: Json) => Json,
): Map<string, Json> {
  const { parentStart, parents, tasks } = run.def;
  const inputs = new Map<string, Json>();
  for (let k = parentStart[c]!; k < parentStart[c + 1]!; k++) {
    const p = parents[k]!;
    if (run.status[p] !== T.completed) continue;
    const stored = run.outputs.get(p) ?? null;
    inputs.set(tasks[p]!.name, resolve ? resolve(p, stored) : stored);
  }
  return inputs;
}

function firstParent(run: RunState, c: number, pred: (status: number) => boolean): string {
  const { parentStart, parents, tasks } = run.def;
  for (let k = parentStart[c]!; k < parentStart[c + 1]!; k++) {
    if (pred(run.status[parents[k]!]!)) return tasks[parents[k]!]!.name;
  }
  return "?";
}

function describePolicy(def: CompiledWorkflow, c: number): string {
  const p = def.tasks[c]!.depPolicy;
  return typeof p === "number" ? `${p} (at least ${p} must complete)` : `"${p}"`;
}

export function decidePending(run: RunState, now: number, opts: ApplyOptions): void {
  if (run.wf.status !== "running") return;
  for (let i = 0; i < run.size; i++) {
    if (run.status[i] === T.pending && decide(run, i, now, opts)) settle(run, i, now, opts);
  }
}
