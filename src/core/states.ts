/**
 * Task and workflow states.
 *
 * Task states, how each is entered and left (only the reducer writes them: reducer.ts,
 * propagate.ts and rerun.ts):
 *
 * | state           | entered when                                                    | left for                                   |
 * |-----------------|-----------------------------------------------------------------|--------------------------------------------|
 * | pending         | at creation, for a task with dependencies, a condition or a map;| ready, skipped, upstream_failed, cancelled,|
 * |                 | a rerun resets it                                               | failed, running (a map expanded)           |
 * | ready           | at creation for a root; when the dep policy is met and the      | running, completed, failed, cancelled (and |
 * |                 | condition holds; when a failed attempt has retries left; a      | ready again on a retry)                    |
 * |                 | rerun resets it and it has no dependencies                      |                                            |
 * | running         | a worker reports that it started the current attempt; a mapped  | completed, failed, ready (retry), cancelled |
 * |                 | task expanded (it runs while its instances do), or a rerun      |                                            |
 * |                 | reset some of its instances                                     |                                            |
 * | completed       | the current attempt succeeded; for a mapped task, every instance| pending, ready, running (rerun)            |
 * | failed          | the current attempt failed or timed out with no retries left;   | pending, ready, running (rerun)            |
 * |                 | or its condition could not be evaluated (condition_errors: fail)|                                            |
 * |                 | or its map could not be, or broke a limit; or an instance of    |                                            |
 * |                 | its map did not succeed                                         |                                            |
 * | skipped         | the condition was false or could not be evaluated; its map gave | pending, ready (rerun)                     |
 * |                 | an empty list; or every parent is terminal and too few          |                                            |
 * |                 | completed, none having failed                                   |                                            |
 * | upstream_failed | the policy can no longer be met and a parent failed, was        | pending, ready (rerun)                     |
 * |                 | cancelled or is upstream_failed                                 |                                            |
 * | cancelled       | the workflow was cancelled while the task was not terminal      | pending, ready, running (rerun)            |
 *
 * Completed, failed, skipped, upstream_failed and cancelled are terminal: only a rerun
 * (rerun.ts) leaves them, as attempt n+1, back to pending (ready without dependencies), and the
 * task is decided again by the same rules. An instance of a map (`train[3]`, mapExpansion.ts)
 * is created ready and goes back to ready; its mapped task, which never runs itself, goes back
 * to running with it.
 *
 * Workflow states: pending (waiting for admission) → running → completed | failed | cancelled;
 * pending → cancelled; failed | cancelled → running by a rerun. A workflow completes when every
 * task is terminal and every judged task (compile.ts: under `result_policy: sinks`, those no
 * task depends on except `always` tasks; under `all_tasks`, every task) ended completed or
 * skipped; it fails otherwise.
 */
export const TASK_STATES = [
  "pending",
  "ready",
  "running",
  "completed",
  "failed",
  "skipped",
  "upstream_failed",
  "cancelled",
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Numeric codes, the index in TASK_STATES, as stored in the state's byte array. */
export const StateCode = {
  pending: 0,
  ready: 1,
  running: 2,
  completed: 3,
  failed: 4,
  skipped: 5,
  upstream_failed: 6,
  cancelled: 7,
} as const satisfies Record<TaskState, number>;
export type TaskCode = (typeof StateCode)[TaskState];

export function isTerminalCode(code: number): boolean {
  return code >= StateCode.completed;
}

/** A parent in one of these states counts against its children's dependency policy. */
export function isBadCode(code: number): boolean {
  return (
    code === StateCode.failed || code === StateCode.upstream_failed || code === StateCode.cancelled
  );
}

/**
 * How the reason of a task whose condition could not be evaluated begins. Such a task is
 * skipped (or failed, with `condition_errors: fail`), and summaries count it apart from a
 * false condition: a typo in a field name must not pass silently for "not needed".
 */
export const CONDITION_ERROR_PREFIX = "condition could not be evaluated: ";

export function isConditionError(status: number, reason: string | undefined): boolean {
  return (
    status === StateCode.skipped &&
    reason !== undefined &&
    reason.startsWith(CONDITION_ERROR_PREFIX)
  );
}

export const WORKFLOW_STATES = ["pending", "running", "completed", "failed", "cancelled"] as const;
export type WorkflowState = (typeof WORKFLOW_STATES)[number];

export function isTerminalWorkflow(s: WorkflowState): boolean {
  return s === "completed" || s === "failed" || s === "cancelled";
}
