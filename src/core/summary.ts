import type { RunState } from "./runState.js";
import {
  isBadCode,
  isConditionError,
  isTerminalCode,
  StateCode,
  TASK_STATES,
  type TaskState,
  type WorkflowState,
} from "./states.js";

export type Counts = Record<TaskState, number>;

export interface Summary {
  readonly id: string;
  readonly name: string;
  readonly status: WorkflowState;
  readonly total: number;
  readonly counts: Counts;
  /** Of the skipped tasks, those whose condition could not be evaluated (not a false one). */
  readonly conditionErrors: number;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly reason: string | null;
}

/** O(1): reads the counters that every write keeps in step. */
export function summarize(run: RunState): Summary {
  const counts = {} as Record<TaskState, number>;
  TASK_STATES.forEach((s, code) => {
    counts[s] = run.counts[code]!;
  });
  return {
    id: run.id,
    name: run.def.definition.name,
    status: run.wf.status,
    total: run.size,
    counts,
    conditionErrors: run.conditionErrors,
    createdAt: run.wf.createdAt,
    startedAt: run.wf.startedAt || null,
    finishedAt: run.wf.finishedAt || null,
    reason: run.wf.reason,
  };
}

/**
 * Recomputes every derived counter from the task states alone and lists where the
 * incremental ones disagree. O(tasks + edges): for verification and repair, never the hot path.
 */
export function verifyCounters(run: RunState): string[] {
  const problems: string[] = [];
  const counts = new Uint32Array(8);
  let terminal = 0;
  let inFlight = 0;
  let judgedBad = 0;
  let conditionErrors = 0;
  for (let i = 0; i < run.size; i++) {
    const s = run.status[i]!;
    counts[s]!++;
    if (isTerminalCode(s)) terminal++;
    if (s === StateCode.running || (s === StateCode.ready && run.dispatchedAt[i]! > 0)) inFlight++;
    if (run.def.judged[i] && isBadCode(s)) judgedBad++;
    if (isConditionError(s, run.reasons.get(i))) conditionErrors++;
  }
  TASK_STATES.forEach((name, code) => {
    if (counts[code] !== run.counts[code])
      problems.push(`count of ${name}: ${run.counts[code]} != ${counts[code]}`);
  });
  if (terminal !== run.terminal) problems.push(`terminal: ${run.terminal} != ${terminal}`);
  if (inFlight !== run.inFlight) problems.push(`inFlight: ${run.inFlight} != ${inFlight}`);
  if (judgedBad !== run.judgedBad) problems.push(`judgedBad: ${run.judgedBad} != ${judgedBad}`);
  if (conditionErrors !== run.conditionErrors)
    problems.push(`conditionErrors: ${run.conditionErrors} != ${conditionErrors}`);
  const { parentStart, parents } = run.def;
  for (let c = 0; c < run.size; c++) {
    let done = 0;
    let bad = 0;
    let term = 0;
    for (let k = parentStart[c]!; k < parentStart[c + 1]!; k++) {
      const s = run.status[parents[k]!]!;
      if (isTerminalCode(s)) term++;
      if (s === StateCode.completed) done++;
      else if (isBadCode(s)) bad++;
    }
    if (done !== run.done[c] || bad !== run.bad[c] || term !== run.term[c]) {
      problems.push(
        `task #${c} parent counters: done ${run.done[c]}/${done} bad ${run.bad[c]}/${bad} term ${run.term[c]}/${term}`,
      );
    }
  }
  return problems;
}
