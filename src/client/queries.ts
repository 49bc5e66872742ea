// The options of DagqClient's list, task and polling calls.
import type { TaskState, WorkflowState } from "../core/index.js";
import type { WorkflowStatus } from "./schemas.js";

export interface ListQuery {
  readonly status?: WorkflowState;
  /** 1–1000, default 50. */
  readonly limit?: number;
  /** The previous page's `next`. */
  readonly cursor?: string;
}

export interface TaskQuery {
  /** Only tasks whose name starts with this, e.g. `train/`. */
  readonly prefix?: string;
  readonly status?: readonly TaskState[];
  /** The previous page's `next` (a task name). */
  readonly after?: string;
  /** 1–10000, default 1000. */
  readonly limit?: number;
}

/** Ends a call early: its promise rejects with the signal's reason. */
export interface Abortable {
  readonly signal?: AbortSignal;
}

/** How `waitFor` polls a workflow until it ends. */
export interface WaitOptions extends Abortable {
  /** Between status reads; default 1000 ms. */
  readonly intervalMs?: number;
  /** Reject after this long; default: wait as long as it takes. */
  readonly timeoutMs?: number;
  /** Called with every status read, the final one included. */
  readonly onProgress?: (status: WorkflowStatus) => void;
}

/** Which piece of a task's log to read. */
export interface LogQuery extends Abortable {
  /** Default: the task's current attempt. */
  readonly attempt?: number;
  /** A byte offset: a previous answer's `next`. */
  readonly offset?: number;
}

/** How `followLog` polls a running attempt's log. */
export interface FollowOptions extends LogQuery {
  /** Between reads while nothing new came; default 1000 ms. */
  readonly intervalMs?: number;
}
