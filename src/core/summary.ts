import { forEachParent } from "./mapState.js";
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
    if (
      (s === StateCode.running && !run.expansions.has(i)) ||
      (s === StateCode.ready && run.dispatchedAt[i]! > 0)
    )
      inFlight++;
    if (i < run.def.size && run.def.judged[i] && isBadCode(s)) judgedBad++;
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
  for (let c = 0; c < run.def.size; c++) {
    let done = 0;
    let bad = 0;
    let term = 0;
    let total = 0;
    forEachParent(run, c, (p) => {
      const s = run.status[p]!;
      total++;
      if (isTerminalCode(s)) term++;
      if (s === StateCode.completed) done++;
      else if (isBadCode(s)) bad++;
    });
    if (done !== run.done[c] || bad !== run.bad[c] || term !== run.term[c]) {
      problems.push(
        `task #${c} parent counters: done ${run.done[c]}/${done} bad ${run.bad[c]}/${bad} term ${run.term[c]}/${term}`,
      );
    }
    if (total !== run.parentTotal(c))
      problems.push(`task #${c} dependencies: ${run.parentTotal(c)} != ${total}`);
  }
  for (const [c, reads] of run.def.conditionParents) {
    let term = 0;
    for (const p of reads) if (isTerminalCode(run.status[p]!)) term++;
    if (term !== run.condTerm.get(c))
      problems.push(`task #${c} condition parents ended: ${run.condTerm.get(c)} != ${term}`);
  }
  for (const [head, exp] of run.expansions) {
    let term = 0;
    let bad = 0;
    for (let j = exp.first; j < exp.first + exp.items.length; j++) {
      if (run.taskOf(j) !== head) problems.push(`instance #${j} is not of task #${head}`);
      if (isTerminalCode(run.status[j]!)) term++;
      if (isBadCode(run.status[j]!)) bad++;
    }
    if (term !== exp.term || bad !== exp.bad)
      problems.push(`map #${head} instances: term ${exp.term}/${term} bad ${exp.bad}/${bad}`);
  }
  return problems;
}
