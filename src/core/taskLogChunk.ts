import type { TaskState } from "./states.js";

/** A piece of one attempt's log, as the API's `.../logs` answers it. */
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
