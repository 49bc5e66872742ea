import type { DepPolicy } from "./definition.js";
import type { Json } from "./json.js";
import { EMPTY_MAP } from "./mapExpansion.js";
import {
  forEachChild,
  forEachParent,
  instancesOf,
  mapItem,
  taskName,
  taskSpec,
} from "./mapState.js";
import { type TaskView, taskView } from "./query.js";
import type { RunState } from "./runState.js";
import { CONDITION_ERROR_PREFIX, StateCode, TASK_STATES, type TaskState } from "./states.js";
import { completedInputs } from "./taskInputs.js";

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
  /** For a task with a map: its expression, and how many instances it expanded into (null: not yet). */
  readonly map?: { readonly expression: string; readonly instances: number | null };
  /** For an instance of a map: its place in the map and its item (DAGQ_MAP_INDEX, DAGQ_MAP_ITEM). */
  readonly instance?: { readonly of: string; readonly index: number; readonly item: Json };
}

/** Everything the state knows about one task, for the dashboard's task pane. */
export function taskDetail(run: RunState, i: number): TaskDetail {
  const { def } = run;
  const spec = taskSpec(run, i);
  const t = run.taskOf(i);
  const link = (k: number) => ({ name: taskName(run, k), status: TASK_STATES[run.status[k]!]! });
  const links = (each: (fn: (k: number) => void) => void) => {
    const tasks: Array<ReturnType<typeof link>> = [];
    let total = 0;
    each((k) => {
      if (total++ < DETAIL_MAX_LINKS) tasks.push(link(k));
    });
    return { total, tasks };
  };
  const item = mapItem(run, i);
  const [first, end] = instancesOf(run, i);
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
    layer: def.layer[t]!,
    command: spec.command,
    queue: spec.queue,
    timeoutS: spec.timeoutS,
    depPolicy: spec.depPolicy,
    // An instance was decided with its map: the condition is the map's, shown there.
    condition: t === i ? conditionOutcome(run, i) : null,
    dependencies: links((fn) => forEachParent(run, i, fn)),
    dependants: links((fn) => forEachChild(run, i, fn)),
    inputs,
    ...(spec.map !== null && t === i
      ? {
          map: {
            expression: spec.map.source,
            instances: first < end ? end - first : run.reasons.get(i) === EMPTY_MAP ? 0 : null,
          },
        }
      : {}),
    ...(item ? { instance: { of: def.tasks[t]!.name, ...item } } : {}),
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
