import { isTerminalCode, StateCode, TASK_STATES, type TaskState } from "../core/index.js";
import type { Engine } from "./context.js";
import type { TaskLookup } from "./taskQueries.js";

/** The most one answer carries; a reader asks again from `next` for the rest. */
export const MAX_LOG_CHUNK = 4 * 1024 * 1024;

export interface TaskLogChunk {
  readonly task: string;
  readonly status: TaskState;
  /** The attempt whose log this is. */
  readonly attempt: number;
  /** The task's current attempt (0: never dispatched). */
  readonly attempts: number;
  /** Whether the attempt's log exists at all: a task that printed nothing has none. */
  readonly exists: boolean;
  readonly offset: number;
  /** Where to read from next time: offset plus the bytes returned. */
  readonly next: number;
  /** The log's lines from `offset` (see worker/attemptLog.ts for their format). */
  readonly text: string;
  /** Nothing more will be written: the attempt has ended. A follower stops once it read to here. */
  readonly complete: boolean;
}

/**
 * A piece of one attempt's log from a byte offset (the API's `.../logs`, `dagq logs`). The
 * attempt defaults to the task's current one. Null when the workflow does not exist.
 */
export async function getTaskLog(
  engine: Engine,
  id: string,
  task: string,
  q: { readonly attempt?: number; readonly offset?: number },
): Promise<TaskLookup<TaskLogChunk> | null> {
  const loaded = await engine.state.loadForRead(id);
  if (!loaded) return null;
  const { run } = loaded;
  const i = run.def.index.get(task);
  if (i === undefined) return "no task";
  const code = run.status[i]!;
  const current = run.attempt[i]!;
  const attempt = q.attempt ?? Math.max(current, 1);
  const offset = q.offset ?? 0;
  // The worker finishes writing the log before it reports the attempt's end, so once the
  // state has moved past the attempt the log is whole.
  const complete =
    attempt < current ||
    isTerminalCode(code) ||
    (attempt === current && code === StateCode.pending);
  const blob = await engine.storage.blobs.read(engine.names.logBlob(id, task, attempt), {
    offset,
  });
  const data = blob?.data ?? new Uint8Array();
  const all = Buffer.from(data.buffer, data.byteOffset, data.length);
  // A long log comes in pieces cut after a line, so no piece splits a character.
  const cut =
    all.length <= MAX_LOG_CHUNK ? all.length : all.lastIndexOf(0x0a, MAX_LOG_CHUNK - 1) + 1;
  const shown = all.subarray(0, cut > 0 ? cut : MAX_LOG_CHUNK);
  return {
    value: {
      task,
      status: TASK_STATES[code]!,
      attempt,
      attempts: current,
      exists: blob !== null,
      offset,
      next: offset + shown.length,
      text: shown.toString("utf8"),
      complete: complete && shown.length === data.length,
    },
  };
}
