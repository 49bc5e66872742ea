import type { DepPolicy } from "./definition.js";
import type { Json } from "./json.js";
import { completedInputs } from "./propagate.js";
import { type TaskView, taskView } from "./query.js";
import type { RunState } from "./runState.js";
import { CONDITION_ERROR_PREFIX, StateCode, TASK_STATES, type TaskState } from "./states.js";

/** Dependencies and dependants listed by name at most; the counts are always complete. */
export const DETAIL_MAX_LINKS = 100;

export interface ConditionOutcome {
  readonly source: string;
  /**
   * `true`/`false`: what it evaluated to; `error`: it could not be evaluated (the task was
   * skipped for that); `not evaluated`: the task has not got that far, or ended before.
   */
  readonly outcome: "true" | "false" | "error" | "not evaluated";
  readonly reason: string;
}

export interface TaskDetail extends TaskView {
  /** The attempt the state is about (1 for the first try); `attempts` counts those that ran. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly dispatchedAt: number | null;
  readonly retryAt: number | null;
  readonly layer: number;
  readonly command: string;
  readonly queue: string;
  readonly timeoutS: number | null;
  readonly depPolicy: DepPolicy;
  readonly condition: ConditionOutcome | null;
  readonly dependencies: {
    readonly total: number;
    readonly tasks: ReadonlyArray<{ readonly name: string; readonly status: TaskState }>;
  };
  readonly dependants: {
    readonly total: number;
    readonly tasks: ReadonlyArray<{ readonly name: string; readonly status: TaskState }>;
  };
  /** The completed parents' outputs as stored (large ones as references), by name. */
  readonly inputs: Readonly<Record<string, Json>>;
}

/** Everything the state knows about one task, for the dashboard's task pane. */
export function taskDetail(run: RunState, i: number): TaskDetail {
  const { def } = run;
  const spec = def.tasks[i]!;
  const link = (k: number) => ({ name: def.tasks[k]!.name, status: TASK_STATES[run.status[k]!]! });
  const parents = def.parents.subarray(def.parentStart[i]!, def.parentStart[i + 1]!);
  const children = def.children.subarray(def.childStart[i]!, def.childStart[i + 1]!);
  const inputs: Record<string, Json> = {};
  let listed = 0;
  for (const [name, value] of completedInputs(run, i)) {
    if (listed++ === DETAIL_MAX_LINKS) break;
    inputs[name] = value;
  }
  return {
    ...taskView(run, i),
    attempt: run.attempt[i]!,
    maxAttempts: (run.base.get(i) ?? 0) + spec.numRetries + 1,
    dispatchedAt: run.dispatchedAt[i] || null,
    retryAt: run.retryAt.get(i) ?? null,
    layer: def.layer[i]!,
    command: spec.command,
    queue: spec.queue,
    timeoutS: spec.timeoutS,
    depPolicy: spec.depPolicy,
    condition: conditionOutcome(run, i),
    dependencies: {
      total: parents.length,
      tasks: [...parents.subarray(0, DETAIL_MAX_LINKS)].map(link),
    },
    dependants: {
      total: children.length,
      tasks: [...children.subarray(0, DETAIL_MAX_LINKS)].map(link),
    },
    inputs,
  };
}

/**
 * The condition and why it came out as it did, from what the reducer did: it evaluates a
 * condition once the dependency policy is met and every parent the condition reads has
 * finished, readies the task when it is true, and skips it with a reason otherwise.
 */
function conditionOutcome(run: RunState, i: number): ConditionOutcome | null {
  const spec = run.def.tasks[i]!;
  if (spec.condition === null) return null;
  const source = spec.condition.source;
  const status = run.status[i]!;
  const reason = run.reasons.get(i) ?? "";
  switch (status) {
    case StateCode.failed:
      // A condition that could not be evaluated fails its task under condition_errors: fail.
      if (reason.startsWith(CONDITION_ERROR_PREFIX)) return { source, outcome: "error", reason };
      return {
        source,
        outcome: "true",
        reason: "it evaluated to true over its dependencies' outputs",
      };
    case StateCode.ready:
    case StateCode.running:
    case StateCode.completed:
      // The reducer readies a task with a condition only when it evaluated to true.
      return {
        source,
        outcome: "true",
        reason: "it evaluated to true over its dependencies' outputs",
      };
    case StateCode.skipped:
      if (reason.startsWith("condition is false"))
        return { source, outcome: "false", reason: "it evaluated to false" };
      if (reason.startsWith(CONDITION_ERROR_PREFIX)) return { source, outcome: "error", reason };
      return { source, outcome: "not evaluated", reason: "the task was skipped before" };
    case StateCode.pending:
      return {
        source,
        outcome: "not evaluated",
        reason:
          "it is evaluated once the dependency policy is met and every dependency it reads has finished",
      };
    default:
      return {
        source,
        outcome: "not evaluated",
        reason: `the task ended ${TASK_STATES[status]} before`,
      };
  }
}
