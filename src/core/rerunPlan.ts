import type { RerunRequest } from "./events.js";
import { forEachChild, instancesOf, nameOrder, taskName, taskSpec } from "./mapState.js";
import { firstAtOrAfter } from "./query.js";
import type { RunState } from "./runState.js";
import { isBadCode, isTerminalCode, StateCode } from "./states.js";

/**
 * Rerun (a redrive): chosen tasks, and their descendants that did not complete, go back to
 * pending (ready for a root) and are decided again by the usual rules; the workflow runs again.
 *
 * - Chosen: the tasks named and those under the prefix; with neither, every failed,
 *   upstream_failed and cancelled task. `failed` keeps only those of the chosen ones.
 * - Reset with them: every descendant that ended without completing (failed, skipped,
 *   upstream_failed, cancelled); with `downstream`, the completed ones too. A descendant that
 *   has not ended (a running workflow's) is left as it is: a pending one is decided again when
 *   its parents end, a ready or running one was decided already.
 * - A reset task's next attempt is the one after the last that was dispatched (n+1), so a late
 *   report of an old attempt still changes nothing; its retries and backoff count again from
 *   there (`base`). Completed tasks that are not reset keep their outputs.
 * - Allowed on failed and cancelled workflows, and on running ones for their failed and
 *   upstream_failed tasks only (without `downstream`, which would reset work in progress).
 * - A map expands once. A mapped task that expanded is never reset itself: choosing it chooses
 *   its instances (`--failed`: those that did not succeed), which rerun with the same items,
 *   and it runs again while they do. A rerun that would reset a dependency of an expanded map
 *   is refused: the map's items came from it, and its instances would run before it ended.
 *
 * Cost: the walk starts from the chosen tasks and visits their descendants only, and the delta
 * holds the reset records: O(tasks reset) bytes, whatever the workflow's size.
 */

/** The tasks a rerun would reset, in the order it resets them, or why it is refused. */
export type RerunPlan = { readonly reset: readonly number[] } | { readonly refused: string };

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
    if (next + taskSpec(run, i).numRetries > MAX_ATTEMPT)
      return refuse(
        `task "${taskName(run, i)}" would pass attempt ${MAX_ATTEMPT}, the most a task may have`,
      );
    let feeds: number | undefined;
    forEachChild(run, i, (c) => {
      if (feeds === undefined && run.expansions.has(c)) feeds = c;
    });
    if (feeds !== undefined) {
      const map = taskName(run, feeds);
      return refuse(
        `rerunning "${taskName(run, i)}" would change what "${map}" was mapped from, and a map expands once: rerun its instances (the task "${map}"), or submit the workflow again`,
      );
    }
  }
  return { reset };
}

function refuse(why: string): RerunPlan {
  return { refused: why };
}

/** The chosen tasks, deduplicated, in the order named (the prefix's in name order). */
function choose(run: RunState, req: RerunRequest, running: boolean): number[] {
  const eligible = (i: number) => {
    const s = run.status[i]!;
    if (running) return s === StateCode.failed || s === StateCode.upstream_failed;
    return !req.failed || isBadCode(s);
  };
  const out = new Set<number>();
  // An expanded map stands for its instances: those of them that qualify are chosen.
  const add = (i: number, qualifies: (i: number) => boolean) => {
    const [first, end] = instancesOf(run, i);
    if (first === end) {
      if (qualifies(i)) out.add(i);
    } else for (let j = first; j < end; j++) if (qualifies(j)) out.add(j);
  };
  if (req.tasks === undefined && req.prefix === undefined) {
    // The default: every task that did not succeed. A scan of one byte per task, with no
    // allocation per task; the delta stays O(tasks reset).
    if (
      run.counts[StateCode.failed]! +
        run.counts[StateCode.upstream_failed]! +
        run.counts[StateCode.cancelled]! >
      0
    )
      for (let i = 0; i < run.size; i++)
        if (isBadCode(run.status[i]!)) add(i, (j) => isBadCode(run.status[j]!));
    return [...out];
  }
  for (const i of req.tasks ?? []) if (i >= 0 && i < run.size) add(i, eligible);
  if (req.prefix !== undefined) {
    const order = nameOrder(run);
    for (let k = firstAtOrAfter(run, req.prefix); k < order.length; k++) {
      const i = order[k]!;
      if (!taskName(run, i).startsWith(req.prefix)) break;
      add(i, eligible);
    }
  }
  return [...out];
}

/**
 * The chosen tasks, then the descendants to reset with them, in breadth-first order. An
 * expanded map is passed through to its instances, never reset itself.
 */
function descendants(run: RunState, chosen: readonly number[], downstream: boolean): number[] {
  const seen = new Set(chosen);
  const walk = [...chosen];
  const reset = [...chosen];
  const visit = (c: number) => {
    if (seen.has(c)) return;
    seen.add(c);
    walk.push(c);
    if (run.expansions.has(c)) return;
    const s = run.status[c]!;
    if (isTerminalCode(s) && (s !== StateCode.completed || downstream)) reset.push(c);
  };
  for (let h = 0; h < walk.length; h++) {
    const p = walk[h]!;
    const [first, end] = instancesOf(run, p);
    for (let j = first; j < end; j++) visit(j);
    forEachChild(run, p, visit);
  }
  return reset;
}

/** After the last attempt that was dispatched; an attempt never sent is used again. */
export function nextAttempt(run: RunState, i: number): number {
  const used = run.dispatchedAt[i]! > 0 || run.startedAt[i]! > 0;
  return run.attempt[i]! + (used ? 1 : 0);
}
