import type { CompiledWorkflow } from "./compile.js";
import { evaluateCondition } from "./condition/index.js";
import type { ApplyOptions, Event } from "./events.js";
import { expandMap } from "./mapExpansion.js";
import { forEachChild, forEachParent, instancesOf, taskName } from "./mapState.js";
import { rerunPlan } from "./rerunPlan.js";
import type { RunState } from "./runState.js";
import {
  CONDITION_ERROR_PREFIX,
  isBadCode,
  isTerminalCode,
  StateCode,
  TASK_STATES,
} from "./states.js";
import { completedInputs } from "./taskInputs.js";

export { completedInputs, parentStates } from "./taskInputs.js";

/**
 * Propagates a task that became terminal to its descendants. Iterative worklist: a 100k-task
 * chain of skips must not overflow the stack.
 */
export function settle(run: RunState, first: number, now: number, opts: ApplyOptions): void {
  const { childStart, children } = run.def;
  const work = [first];
  while (work.length > 0) {
    // An instance's children are its map's.
    const p = run.taskOf(work.pop()!);
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
  const total = run.parentTotal(c);
  const need = run.need(c);
  const done = run.done[c]!;
  const allEnded = run.term[c] === total;
  if (def.waitAll[c] && !allEnded) return false;
  if (done >= need) return decideCondition(run, c, now, opts);
  const unmet = run.term[c]! - done;
  if (unmet <= total - need) return false;
  // A mapped dependency that has not expanded yet may still bring any number of instances:
  // until it does (or ends without), the policy cannot be known to be out of reach.
  if (sizeUnknown(run, c)) return false;
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

function sizeUnknown(run: RunState, c: number): boolean {
  const mapped = run.def.mappedParents.get(c);
  if (!mapped) return false;
  return mapped.some((p) => !run.expansions.has(p) && !isTerminalCode(run.status[p]!));
}

/**
 * The policy is met: the condition, if any, decides between ready and skipped (or failed); a
 * task with a map expands where it would be ready (mapExpansion.ts).
 */
function decideCondition(run: RunState, c: number, now: number, opts: ApplyOptions): boolean {
  const spec = run.def.tasks[c]!;
  // Wait until every parent the condition and the map read has an outcome: the result must
  // not depend on the order in which parents finish.
  const reads = run.def.conditionParents.get(c);
  if (reads && run.condTerm.get(c)! < reads.size) return false;
  if (spec.condition !== null) {
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
  if (spec.map !== null) return expandMap(run, c, now, opts);
  run.write(c, { status: StateCode.ready });
  return false;
}

function finish(run: RunState, i: number, status: number, now: number, reason: string): true {
  run.write(i, { status, finishedAt: now, reason });
  return true;
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
  const { conditionParents } = run.def;
  const wanted = new Set<number>();
  if (conditionParents.size === 0) return wanted;
  // An expanded map is read through its instances, all of them, but only once it may end:
  // adding 10,000 instances for each of their completions would cost O(N²) over the map.
  const ending = endingMaps(run, events);
  const want = (p: number, always: boolean) => {
    const [first, end] = instancesOf(run, p);
    if (first === end) wanted.add(p);
    else if (always || ending.has(p)) for (let j = first; j < end; j++) wanted.add(j);
  };
  if (opts.reconcile) {
    for (const [c, ps] of conditionParents)
      if (run.status[c] === StateCode.pending) for (const p of ps) want(p, true);
  }
  for (const e of events) {
    if (e.kind === "rerun") {
      // The reset tasks are decided again at once, from the outputs they read.
      const plan = rerunPlan(run, e);
      if ("reset" in plan)
        for (const c of plan.reset)
          for (const p of conditionParents.get(run.taskOf(c)) ?? []) want(p, true);
      continue;
    }
    if (e.kind !== "completed" || !(e.task >= 0 && e.task < run.size)) continue;
    forEachChild(run, e.task, (c) => {
      for (const p of conditionParents.get(c) ?? []) want(p, false);
    });
  }
  return wanted;
}

/** Expanded maps whose instances not yet ended all have an end report in `events`. */
function endingMaps(run: RunState, events: readonly Event[]): Set<number> {
  const ends = new Map<number, number>();
  for (const e of events) {
    if ((e.kind !== "completed" && e.kind !== "failed") || !(e.task >= 0 && e.task < run.size))
      continue;
    const head = run.taskOf(e.task);
    if (head !== e.task) ends.set(head, (ends.get(head) ?? 0) + 1);
  }
  const ending = new Set<number>();
  for (const [head, n] of ends) {
    const exp = run.expansions.get(head)!;
    if (exp.term + n >= exp.items.length) ending.add(head);
  }
  return ending;
}

/** Names the parents that did not succeed, a few of them, for a reason a user reads. */
function badParents(run: RunState, c: number): string {
  const shown: string[] = [];
  let more = 0;
  forEachParent(run, c, (p) => {
    const s = run.status[p]!;
    if (!isBadCode(s)) return;
    if (shown.length < 3) shown.push(`"${taskName(run, p)}" ${TASK_STATES[s]}`);
    else more++;
  });
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
