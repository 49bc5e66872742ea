import { taskSpec } from "./mapState.js";
import type { RunState } from "./runState.js";
import { StateCode } from "./states.js";

export interface WakeOptions {
  readonly repairAfterMs: number;
  readonly maxInFlight: number;
}

/**
 * The earliest time a sweep has something to do for this run: a running attempt reaching its
 * timeout, a dispatched task that no worker started reaching the ready-repair age, or (now)
 * ready tasks waiting while the flow-control window has room, as after a crash between
 * submission and the first dispatch. Stored in the index row, so that sweeps can skip
 * workflows that neither changed nor are due. O(tasks) over typed arrays: computed when the
 * index row is written, not per event.
 */
export function wakeAt(run: RunState, now: number, opts: WakeOptions): number | null {
  if (run.wf.status !== "running") return null;
  let earliest = Number.POSITIVE_INFINITY;
  let waiting = false;
  for (let i = 0; i < run.size; i++) {
    const s = run.status[i];
    if (s === StateCode.running) {
      if (run.expansions.has(i)) continue;
      const timeoutS = taskSpec(run, i).timeoutS;
      if (timeoutS !== null) earliest = Math.min(earliest, run.startedAt[i]! + timeoutS * 1000);
    } else if (s === StateCode.ready) {
      if (run.dispatchedAt[i]! > 0)
        earliest = Math.min(earliest, run.dispatchedAt[i]! + opts.repairAfterMs);
      else waiting = true;
    }
  }
  if (waiting && run.inFlight < opts.maxInFlight) earliest = Math.min(earliest, now);
  return Number.isFinite(earliest) ? earliest : null;
}
