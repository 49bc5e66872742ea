import type { ApplyOptions, Event, Transition } from "./events.js";
import { taskSpec } from "./mapState.js";
import { applyEvents } from "./reducer.js";
import type { RunState } from "./runState.js";
import { StateCode } from "./states.js";

/** Running attempts past their task's timeout, as the failure events a sweep should apply. */
export function timedOut(run: RunState, now: number): Event[] {
  const events: Event[] = [];
  for (let i = 0; i < run.size; i++) {
    // An expanded map is "running" while its instances are: they have the timeout, not it.
    if (run.status[i] !== StateCode.running || run.expansions.has(i)) continue;
    const timeoutS = taskSpec(run, i).timeoutS;
    if (timeoutS === null) continue;
    if (now - run.startedAt[i]! > timeoutS * 1000) {
      events.push({
        kind: "failed",
        task: i,
        attempt: run.attempt[i]!,
        error: `timed out after ${timeoutS}s`,
      });
    }
  }
  return events;
}

/**
 * Ready-repair: tasks dispatched more than `staleMs` ago that no worker has reported started
 * (the message was lost, or purged, or a worker dropped it). Re-dispatches them with the same
 * attempt, so a duplicate delivery stays harmless.
 */
export function repairReady(run: RunState, now: number, staleMs: number): Transition {
  return applyEvents(run, [], now, { repairAfterMs: staleMs, dispatchReady: false });
}

/**
 * Decides every pending task whose parents' outcomes already decide it. The reducer does this
 * as parents finish, so on a healthy state it changes nothing; the orphan sweep runs it to
 * repair a state written by an older or faulty version. O(tasks).
 */
export function reconcile(run: RunState, now: number, opts: ApplyOptions = {}): Transition {
  return applyEvents(run, [], now, { ...opts, reconcile: true });
}
