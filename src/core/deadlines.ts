import type { RunState } from "./runState.js";
import { T } from "./states.js";

/**
 * The earliest time a sweep has something to do for this run: a running attempt reaching its
 * timeout, or a dispatched task that no worker has started reaching the ready-repair age.
 * Stored in the index row, so that sweeps can skip workflows that neither changed nor are due.
 * O(tasks) over typed arrays: computed when the index row is written, not per event.
 */
export function wakeAt(run: RunState, repairAfterMs: number): number | null {
  if (run.wf.status !== "running") return null;
  let earliest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < run.size; i++) {
    const s = run.status[i];
    if (s === T.running) {
      const timeoutS = run.def.tasks[i]!.timeoutS;
      if (timeoutS !== null) earliest = Math.min(earliest, run.startedAt[i]! + timeoutS * 1000);
    } else if (s === T.ready && run.dispatchedAt[i]! > 0) {
      earliest = Math.min(earliest, run.dispatchedAt[i]! + repairAfterMs);
    }
  }
  return Number.isFinite(earliest) ? earliest : null;
}
