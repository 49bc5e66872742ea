// The options of DagqClient's list, task and polling calls.
import type { TaskState, WorkflowState } from "../core/index.js";

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
