import type { TimerHandler } from "@azure/functions";
import { sweepOrphans } from "../engine/orphans.js";
import type { Runtime } from "./runtime.js";

/** The orphan sweep on a timer: stranded inboxes, stale index rows, undecided pending tasks. */
export function sweepOrphansHandler(rt: Runtime): TimerHandler {
  return async (timer, context) => {
    if (timer.isPastDue) context.warn("sweepOrphans: running late");
    const engine = await rt.engine();
    const r = await sweepOrphans(engine);
    const found =
      r.inboxesDrained + r.inboxesDiscarded + r.rowsRepaired + r.rowsRemoved + r.reconciled;
    const line = `inboxes drained ${r.inboxesDrained}, discarded ${r.inboxesDiscarded}; rows repaired ${r.rowsRepaired}, removed ${r.rowsRemoved}; reconciled ${r.reconciled}`;
    // Every finding is a crash's leftover: worth a warning, so it is seen.
    if (found > 0) context.warn(`sweepOrphans: ${line}`);
    else context.log(`sweepOrphans: ${line}`);
  };
}
