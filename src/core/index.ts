/**
 * dagq's core: every workflow semantic, pure (no I/O, no clock, no randomness, no Azure).
 *
 * Glossary
 * - workflow: a DAG of tasks submitted as one unit; has an id, a definition and a state.
 * - definition: the immutable description (tasks, depends_on, policies, conditions), validated
 *   and compiled once at the edge (`compileDefinition`).
 * - task: one shell command in a workflow, named `group/name`; runs when its dependency policy
 *   (`all`, `any` or N) is met and its condition holds.
 * - attempt: one try of a task, numbered from 1; retries are new attempts, owned by the
 *   coordinator. Every event names its attempt, so duplicates and stale reports are no-ops.
 * - completion: a worker's report that an attempt completed (with an output) or failed.
 * - map, instance: a task with a `map` expands, once its dependencies allow, into one instance
 *   per item of a list (`train[0]`, `train[1]`, ...), tasks appended to the state after the
 *   compiled ones (mapExpansion.ts, mapState.ts).
 * - delta: the task records one batch of events changed (`Changes`); snapshot + deltas
 *   rebuild the state exactly.
 * - shard: one of 16 slices of the workflow index, swept independently.
 * - sweep: a periodic repair pass (ready-repair, running-timeout, orphans, admission).
 * - lease: the exclusive right to write one workflow's state, held on its state blob.
 * - inbox: completions parked for a workflow whose lease another instance holds.
 */

// The public surface, listed by hand: what users of the `dagq` package and the outer folders
// (engine, worker, local runner, CLI, functions) rely on. Test helpers (verifyCounters) and the
// reducer's internals stay in their files.

// Definitions: the file format, the TypeScript builder, the compiler.
export {
  type TaskOptions,
  type TaskRef,
  type TaskSettings,
  WorkflowBuilder,
  type WorkflowOptions,
  workflow,
} from "./builder.js";
export { type Changes, replay, restore, snapshot, takeChanges } from "./changes.js";
export {
  type CompiledWorkflow,
  compile,
  compileDefinition,
  parseDefinition,
  type TaskSpec,
} from "./compile.js";
export { type WakeOptions, wakeAt } from "./deadlines.js";
export {
  type ConditionErrors,
  DEP_POLICIES,
  type DepPolicy,
  LIMITS,
  PARAM_NAME_PATTERN,
  RESERVED_NAMES,
  RunTaskNameSchema,
  type TaskDefinition,
  type TaskDefinitionInput,
  TaskNameSchema,
  type WorkflowDefinition,
  type WorkflowDefinitionInput,
  WorkflowDefinitionSchema,
} from "./definition.js";
export { assertNever, DagqError, ErrorCode, formatIssues, type Issue } from "./errors.js";
// The reducer: events in, commands and deltas out.
export type { ApplyOptions, Command, Event, RerunRequest, Transition } from "./events.js";
export {
  GraphRequestError,
  type GraphShape,
  type GraphView,
  graphShape,
  graphView,
} from "./graphView.js";
export { type Json, jsonIssue, jsonValue } from "./json.js";
export {
  findTask,
  forEachChild,
  forEachParent,
  instancesOf,
  mapItem,
  nameOrder,
  taskName,
  taskSpec,
} from "./mapState.js";
export { MAX_TASK_MESSAGE_BYTES, taskMessageBytes } from "./messageSize.js";
export { applyParams, type JsonType, jsonType, type ParamValues } from "./params.js";
export { outputsConditionsRead } from "./propagate.js";
export { layerCounts, queryTasks, type TaskQuery, type TaskView, taskView } from "./query.js";
export { applyEvents, createRun, endRejection } from "./reducer.js";
export { reconcile, repairReady, timedOut } from "./repair.js";
export { MAX_ATTEMPT, type RerunPlan, rerunPlan } from "./rerunPlan.js";
export { type Expansion, RunState, type TaskRecord, type WorkflowRecord } from "./runState.js";
// States.
export {
  CONDITION_ERROR_PREFIX,
  isTerminalCode,
  isTerminalWorkflow,
  StateCode,
  TASK_STATES,
  type TaskCode,
  type TaskState,
  WORKFLOW_STATES,
  type WorkflowState,
} from "./states.js";
// Reading a state: summaries, task queries, the views the API and dashboard serve.
export { type Counts, type Summary, summarize } from "./summary.js";
export { type TaskDetail, taskDetail } from "./taskDetail.js";
export { completedInputs, parentStates } from "./taskInputs.js";
export { TASK_SORTS, type TaskWindow, type TaskWindowQuery, taskWindow } from "./taskWindow.js";
