import { type Json, type RunState, type TaskState, taskView } from "../core/index.js";

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

/** Tasks keep definition order, so the JSON reads like the file it came from. */
export function localResult(run: RunState, status: LocalResult["status"]): LocalResult {
  const tasks: Record<string, LocalTaskResult> = {};
  for (let i = 0; i < run.size; i++) {
    const v = taskView(run, i);
    tasks[v.name] = {
      status: v.status,
      attempts: v.attempts,
      output: v.output,
      ...(v.reason === null ? {} : { reason: v.reason }),
    };
  }
  return { id: run.id, status, tasks };
}
