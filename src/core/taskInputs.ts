import type { Json } from "./json.js";
import { forEachParent, taskName } from "./mapState.js";
import type { RunState } from "./runState.js";
import { StateCode, TASK_STATES, type TaskState } from "./states.js";

/**
 * The outputs of the parents of `c` that completed, keyed by name, in definition order (an
 * expanded map's instances in its place, `train[0]` ...); an output found in `resolved`
 * (fetched from its blob) is given as that value. An instance reads its mapped task's parents.
 */
export function completedInputs(
  run: RunState,
  c: number,
  resolved?: ReadonlyMap<number, Json>,
): Map<string, Json> {
  const inputs = new Map<string, Json>();
  forEachParent(run, c, (p) => {
    if (run.status[p] !== StateCode.completed) return;
    inputs.set(taskName(run, p), resolved?.get(p) ?? run.outputs.get(p) ?? null);
  });
  return inputs;
}

/**
 * Every direct parent's state, by name, for tasks that run whatever their parents did
 * (`always`, `all_settled`): they receive it as `DAGQ_PARENT_STATES`.
 */
export function parentStates(run: RunState, c: number): Map<string, TaskState> {
  const states = new Map<string, TaskState>();
  forEachParent(run, c, (p) => {
    states.set(taskName(run, p), TASK_STATES[run.status[p]!]!);
  });
  return states;
}
