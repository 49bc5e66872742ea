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
 * - delta: the task records one batch of events changed (`Changes`); snapshot + deltas
 *   rebuild the state exactly.
 * - shard: one of 16 slices of the workflow index, swept independently.
 * - sweep: a periodic repair pass (ready-repair, running-timeout, orphans, admission).
 * - lease: the exclusive right to write one workflow's state, held on its state blob.
 * - inbox: completions parked for a workflow whose lease another instance holds.
 */
export * from "./builder.js";
export * from "./changes.js";
export * from "./compile.js";
export * from "./condition/index.js";
export * from "./deadlines.js";
export * from "./definition.js";
export * from "./errors.js";
export * from "./events.js";
export { type Json, jsonIssue, jsonValue } from "./json.js";
export * from "./messageSize.js";
export { completedInputs, outputsConditionsRead, parentStates } from "./propagate.js";
export * from "./query.js";
export * from "./reducer.js";
export * from "./repair.js";
export * from "./runState.js";
export * from "./states.js";
export * from "./summary.js";
