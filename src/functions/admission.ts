import type { TimerHandler } from "@azure/functions";
import { admitPending } from "../engine/admission.js";
import type { Runtime } from "./runtime.js";

/** Admission on a timer: starts pending workflows, oldest first, while there is room. */
export function admissionHandler(rt: Runtime): TimerHandler {
  return async (timer, context) => {
    if (rt.settings.DAGQ_MAX_RUNNING_WORKFLOWS === 0) return; // no limit: submit starts them
    if (timer.isPastDue) context.warn("admission: running late");
    const admitted = await admitPending(await rt.engine());
    if (admitted > 0) context.log(`admission: admitted ${admitted} workflow(s)`);
  };
}
