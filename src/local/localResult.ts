import { instancesOf, type Json, type RunState, type TaskState, taskView } from "../core/index.js";

export interface LocalTaskResult {
  readonly status: TaskState;
  readonly attempts: number;
  readonly output: Json;
  /** Present only when the task has one (why it failed, was skipped, ...). */
  readonly reason?: string;
}

/** The outcome of a local run, exactly as `dagq run-local --json` prints it. */
export interface LocalResult {
  readonly id: string;
  readonly status: "completed" | "failed" | "cancelled";
  readonly tasks: Readonly<Record<string, LocalTaskResult>>;
}

/**
 * Tasks keep definition order, so the JSON reads like the file it came from; the instances of
 * maps follow, map by map in definition order, each map's in item order.
 */
export function localResult(run: RunState, status: LocalResult["status"]): LocalResult {
  const tasks: Record<string, LocalTaskResult> = {};
  const add = (i: number) => {
    const v = taskView(run, i);
    tasks[v.name] = {
      status: v.status,
      attempts: v.attempts,
      output: v.output,
      ...(v.reason === null ? {} : { reason: v.reason }),
    };
  };
  for (let i = 0; i < run.def.size; i++) add(i);
  for (let i = 0; i < run.def.size; i++) {
    const [first, end] = instancesOf(run, i);
    for (let j = first; j < end; j++) add(j);
  }
  return { id: run.id, status, tasks };
}
