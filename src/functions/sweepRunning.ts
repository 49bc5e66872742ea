import type { TimerHandler } from "@azure/functions";
import { sweepRunning } from "../engine/sweeps.js";
import type { Runtime } from "./runtime.js";

/**
 * The running-workflow sweep on a timer: timeouts, ready-repair, window top-ups. Timers are
 * singletons across the app's instances and may fire late or twice around a restart; the sweep
 * is idempotent, so that only moves repairs earlier or later.
 */
export function sweepRunningHandler(rt: Runtime): TimerHandler {
  return async (timer, context) => {
    if (timer.isPastDue) context.warn("sweepRunning: running late");
    const engine = await rt.engine();
    const r = await sweepRunning(engine);
    context.log(
      `sweepRunning: examined ${r.examined}, visited ${r.visited}, timed out ${r.timedOut}, busy ${r.busy}, gone ${r.gone}`,
    );
  };
}
