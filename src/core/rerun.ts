import type { ApplyOptions, Command, RerunRequest } from "./events.js";
import { decideTasks } from "./propagate.js";
import { firstAtOrAfter } from "./query.js";
import type { RunState } from "./runState.js";
import { isBadCode, isTerminalCode, StateCode } from "./states.js";

/**
 * Rerun (a redrive): chosen tasks, and their descendants that did not complete, go back to
 * pending (ready for a root) and are decided again by the usual rules; the workflow runs again.
 *
 * - Chosen: the tasks named and those under the prefix; with neither, every failed,
 *   upstream_failed and cancelled task. `failed` keeps only those of the chosen ones.
 * - Reset with them: every descendant reached through reset tasks that ended without
 *   completing (failed, skipped, upstream_failed, cancelled); with `downstream`, completed ones
 *   too. A task that has not ended (a running workflow's) is left as it is: a pending one is
 *   decided again when its parents end, a ready or running one was decided already.
 * - A reset task's next attempt is the one after the last that was dispatched (n+1), so a late
 *   report of an old attempt still changes nothing; its retries and backoff count again from
 *   there (`base`). Completed tasks that are not reset keep their outputs.
 * - Allowed on failed and cancelled workflows, and on running ones for their failed and
 *   upstream_failed tasks only (without `downstream`, which would reset work in progress).
 *
 * Cost: the walk starts from the chosen tasks and visits only the children of reset tasks, and
 * the delta holds the reset records: O(tasks reset), whatever the workflow's size.
 */

/** The tasks a rerun would reset, in the order it resets them, or why it is refused. */
export type RerunPlan =
  | { readonly reset: readonly number[] }
  | { readonly refused: string; readonly conflict: boolean };

/** The highest attempt number the worker protocol carries (protocol/messages.ts). */
export const MAX_ATTEMPT = 1000;

export function rerunPlan(run: RunState, req: RerunRequest): RerunPlan {
  const status = run.wf.status;
  const running = status === "running";
  if (status !== "failed" && status !== "cancelled" && !running)
    return refuse(`the workflow is ${status}: only failed, cancelled and running ones rerun`);
  if (running && req.downstream)
    return refuse(
      "the workflow is running: only its failed tasks rerun, without downstream (that would reset work in progress)",
    );
  const chosen = choose(run, req, running);
  if (chosen.length === 0) {
    const what =
      req.tasks === undefined && req.prefix === undefined
        ? "no task failed, is upstream_failed or was cancelled"
        : running
          ? "none of the chosen tasks failed or is upstream_failed (the workflow is running)"
          : req.failed
            ? "none of the chosen tasks failed, is upstream_failed or was cancelled"
            : "no task was chosen";
    return refuse(`nothing to rerun: ${what}`);
  }
  const reset = descendants(run, chosen, req.downstream === true);
  for (const i of reset) {
    const next = nextAttempt(run, i);
    if (next + run.def.tasks[i]!.numRetries > MAX_ATTEMPT)
      return refuse(
        `task "${run.def.tasks[i]!.name}" would pass attempt ${MAX_ATTEMPT}, the most a task may have`,
      );
  }
  return { reset };
}

function refuse(why: string): RerunPlan {
  return { refused: why, conflict: true };
}

/** The chosen tasks, deduplicated, in the order named (the prefix's in name order). */
function choose(run: RunState, req: RerunRequest, running: boolean): number[] {
  const eligible = (i: number) => {
    const s = run.status[i]!;
    if (running) return s === StateCode.failed || s === StateCode.upstream_failed;
    return !req.failed || isBadCode(s);
  };
  const out = new Set<number>();
  if (req.tasks === undefined && req.prefix === undefined) {
    // The default: every task that did not succeed. A scan of one byte per task, with no
    // allocation per task; the delta stays O(tasks reset).
    if (
      run.counts[StateCode.failed]! +
        run.counts[StateCode.upstream_failed]! +
        run.counts[StateCode.cancelled]! >
      0
    )
      for (let i = 0; i < run.size; i++) if (isBadCode(run.status[i]!)) out.add(i);
    return [...out];
  }
  for (const i of req.tasks ?? []) if (i >= 0 && i < run.size && eligible(i)) out.add(i);
  if (req.prefix !== undefined) {
    const { byName, tasks } = run.def;
    for (let k = firstAtOrAfter(run, req.prefix); k < byName.length; k++) {
      const i = byName[k]!;
      if (!tasks[i]!.name.startsWith(req.prefix)) break;
      if (eligible(i)) out.add(i);
    }
  }
  return [...out];
}

/** The chosen tasks and the descendants reached through reset tasks that must be reset too. */
function descendants(run: RunState, chosen: readonly number[], downstream: boolean): number[] {
  const { childStart, children } = run.def;
  const reset = new Set(chosen);
  const order = [...chosen];
  for (let h = 0; h < order.length; h++) {
    const p = order[h]!;
    for (let k = childStart[p]!; k < childStart[p + 1]!; k++) {
      const c = children[k]!;
      const s = run.status[c]!;
      if (reset.has(c) || !isTerminalCode(s)) continue;
      if (s === StateCode.completed && !downstream) continue;
      reset.add(c);
      order.push(c);
    }
  }
  return order;
}

/** After the last attempt that was dispatched; an attempt never sent is used again. */
function nextAttempt(run: RunState, i: number): number {
  const used = run.dispatchedAt[i]! > 0 || run.startedAt[i]! > 0;
  return run.attempt[i]! + (used ? 1 : 0);
}

/** Applies a rerun; returns why it was refused, or undefined when it took effect. */
export function applyRerun(
  run: RunState,
  req: RerunRequest,
  now: number,
  commands: Command[],
  opts: ApplyOptions,
): string | undefined {
  const plan = rerunPlan(run, req);
  if ("refused" in plan) return plan.refused;
  const reopening = run.wf.status === "cancelled";
  const retryAt = reopening && req.reopenDelayMs ? now + req.reopenDelayMs : 0;
  const { parentStart } = run.def;
  for (const i of plan.reset) {
    // A cancelled task's dispatched attempt may still sit in a queue: the workflow's cancelled
    // flag kept workers from running it, and that flag is about to be withdrawn.
    if (run.status[i] === StateCode.cancelled && run.dispatchedAt[i]! > 0)
      commands.push({ kind: "kill", task: i, attempt: run.attempt[i]! });
    const next = nextAttempt(run, i);
    const root = parentStart[i] === parentStart[i + 1];
    run.write(i, {
      status: root ? StateCode.ready : StateCode.pending,
      attempt: next,
      base: next - 1,
      dispatchedAt: 0,
      startedAt: 0,
      finishedAt: 0,
      retryAt,
      output: undefined,
      reason: undefined,
    });
  }
  run.setWorkflow({ status: "running", finishedAt: 0, reason: null });
  if (reopening) commands.push({ kind: "reopen" });
  decideTasks(run, plan.reset, now, opts);
  return undefined;
}
