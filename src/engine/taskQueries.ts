import {
  findTask,
  type Json,
  type RunState,
  StateCode,
  TASK_STATES,
  type TaskDetail,
  type TaskState,
  type TaskWindow,
  type TaskWindowQuery,
  taskDetail,
  taskWindow,
} from "../core/index.js";
import { isOutputRef } from "../protocol/messages.js";
import type { Engine } from "./context.js";
import { resolveOutput } from "./queries.js";

/** One window of a workflow's tasks, filtered and sorted (core/taskWindow.ts); null: no workflow. */
export async function getTaskWindow(
  engine: Engine,
  id: string,
  q: TaskWindowQuery,
): Promise<TaskWindow | null> {
  const loaded = await engine.state.loadForRead(id);
  return loaded ? taskWindow(loaded.run, q) : null;
}

/** What a task lookup finds in a workflow that exists: the value, or no such task. */
export type TaskLookup<V> = { readonly value: V } | "no task";

/** Looks a task up in a workflow's state and maps it; null when the workflow does not exist. */
async function withTask<V>(
  engine: Engine,
  id: string,
  task: string,
  fn: (run: RunState, i: number) => V | Promise<V>,
): Promise<TaskLookup<V> | null> {
  const loaded = await engine.state.loadForRead(id);
  if (!loaded) return null;
  const i = findTask(loaded.run, task);
  return i === undefined ? "no task" : { value: await fn(loaded.run, i) };
}

/** One task's detail; null when the workflow does not exist. */
export function getTaskDetail(
  engine: Engine,
  id: string,
  task: string,
): Promise<TaskLookup<TaskDetail> | null> {
  return withTask(engine, id, task, taskDetail);
}

export interface TaskOutput {
  readonly task: string;
  readonly status: TaskState;
  /** The output the task wrote, fetched from its blob when it was too large to keep inline. */
  readonly output: Json;
  /** The size of a spilled output, in bytes; null when it was inline. */
  readonly spilledBytes: number | null;
}

/** A task's output resolved: a reference to a spilled output is replaced by the blob's JSON. */
export function getTaskOutput(
  engine: Engine,
  id: string,
  task: string,
): Promise<TaskLookup<TaskOutput> | null> {
  return withTask(engine, id, task, async (run, i) => {
    const stored = run.status[i] === StateCode.completed ? (run.outputs.get(i) ?? null) : null;
    const spilledBytes = isOutputRef(stored) ? stored.bytes : null;
    const output = await resolveOutput(engine, stored);
    return { task, status: TASK_STATES[run.status[i]!]!, output, spilledBytes };
  });
}
