import type { CompiledWorkflow } from "./compile.js";
import type { Json } from "./json.js";
import {
  isBadCode,
  isConditionError,
  isTerminalCode,
  StateCode,
  type WorkflowState,
} from "./states.js";

export interface WorkflowRecord {
  status: WorkflowState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  reason: string | null;
}

/** Everything the state holds about one task; a change record carries it whole. */
export interface TaskRecord {
  status: number;
  attempt: number;
  dispatchedAt: number;
  startedAt: number;
  finishedAt: number;
  /** Earliest time a retry may run (the backoff), or 0. */
  retryAt: number;
  /**
   * The attempt number before the task's current round: 0, or what it had reached when a
   * rerun reset it. Retries left and the backoff count from here, so a rerun gets the whole
   * retry budget again while attempt numbers go on rising.
   */
  base: number;
  output: Json | undefined;
  reason: string | undefined;
}

/**
 * The mutable state of one workflow run: a few typed arrays indexed by task (about 40 bytes a
 * task), sparse maps for what few tasks have (outputs, reasons, retry times), and counters that
 * every write keeps in step, so that no hot-path operation scans the workflow.
 *
 * Timestamps are epoch milliseconds; 0 means "not set". All writes go through `write()`, which
 * updates the summary counts, the in-flight count, the ready queue, the sink tally, the
 * children's dependency counters, and remembers which tasks changed for the next delta.
 *
 * It is mutable on purpose: applying a completion to a 100k-task workflow must cost O(changes),
 * and copying the arrays per event would make it O(tasks).
 */
export class RunState {
  readonly size: number;
  readonly status: Uint8Array;
  readonly attempt: Uint16Array;
  readonly dispatchedAt: Float64Array;
  readonly startedAt: Float64Array;
  readonly finishedAt: Float64Array;
  /** Per task: parents that completed, that failed/upstream_failed/cancelled, that are terminal. */
  readonly done: Uint32Array;
  readonly bad: Uint32Array;
  readonly term: Uint32Array;
  /** For tasks with a condition: how many of the parents it reads are terminal. */
  readonly condTerm = new Map<number, number>();
  readonly outputs = new Map<number, Json>();
  readonly reasons = new Map<number, string>();
  readonly retryAt = new Map<number, number>();
  /** Attempt bases (TaskRecord.base) of the tasks a rerun reset; absent means 0. */
  readonly base = new Map<number, number>();
  /** Tasks by state code; maintained incrementally, checked against `recount()` in tests. */
  readonly counts = new Uint32Array(8);
  terminal = 0;
  /** Judged tasks (see CompiledWorkflow.judged) that ended failed, upstream_failed or cancelled. */
  judgedBad = 0;
  /** Tasks skipped because their condition could not be evaluated. */
  conditionErrors = 0;
  /** Tasks dispatched and not yet terminal: the flow-control window counts these. */
  inFlight = 0;
  /** Ready tasks waiting for dispatch, FIFO; entries that stopped qualifying are dropped lazily. */
  private readyQueue: number[] = [];
  private readyHead = 0;
  readonly touched = new Set<number>();
  wfTouched = false;

  constructor(
    readonly def: CompiledWorkflow,
    readonly id: string,
    readonly wf: WorkflowRecord,
  ) {
    const n = def.size;
    this.size = n;
    this.status = new Uint8Array(n);
    this.attempt = new Uint16Array(n).fill(1);
    this.dispatchedAt = new Float64Array(n);
    this.startedAt = new Float64Array(n);
    this.finishedAt = new Float64Array(n);
    this.done = new Uint32Array(n);
    this.bad = new Uint32Array(n);
    this.term = new Uint32Array(n);
    for (const c of def.conditionParents.keys()) this.condTerm.set(c, 0);
    // Roots are ready from the start: derived from the DAG, no activation pass.
    for (let i = 0; i < n; i++) {
      if (def.parentStart[i] === def.parentStart[i + 1]) {
        this.status[i] = StateCode.ready;
        this.readyQueue.push(i);
      }
    }
    this.counts[StateCode.ready] = this.readyQueue.length;
    this.counts[StateCode.pending] = n - this.readyQueue.length;
  }

  record(i: number): TaskRecord {
    return {
      status: this.status[i]!,
      attempt: this.attempt[i]!,
      dispatchedAt: this.dispatchedAt[i]!,
      startedAt: this.startedAt[i]!,
      finishedAt: this.finishedAt[i]!,
      retryAt: this.retryAt.get(i) ?? 0,
      base: this.base.get(i) ?? 0,
      output: this.outputs.get(i),
      reason: this.reasons.get(i),
    };
  }

  /** The single writer of task fields: applies `patch` and keeps every derived counter in step. */
  write(i: number, patch: Partial<TaskRecord>): void {
    const before = this.status[i]!;
    const wasConditionError = isConditionError(before, this.reasons.get(i));
    const wasInFlight = this.isInFlight(i);
    const wasWaiting = before === StateCode.ready && this.dispatchedAt[i] === 0;
    if (patch.attempt !== undefined) this.attempt[i] = patch.attempt;
    if (patch.dispatchedAt !== undefined) this.dispatchedAt[i] = patch.dispatchedAt;
    if (patch.startedAt !== undefined) this.startedAt[i] = patch.startedAt;
    if (patch.finishedAt !== undefined) this.finishedAt[i] = patch.finishedAt;
    if ("retryAt" in patch) setOrDelete(this.retryAt, i, patch.retryAt || undefined);
    if ("base" in patch) setOrDelete(this.base, i, patch.base || undefined);
    if ("output" in patch) setOrDelete(this.outputs, i, patch.output);
    if ("reason" in patch) setOrDelete(this.reasons, i, patch.reason);
    if (patch.status !== undefined && patch.status !== before) {
      this.status[i] = patch.status;
      this.counts[before]!--;
      this.counts[patch.status]!++;
      const wasTerminal = isTerminalCode(before);
      const isTerminal = isTerminalCode(patch.status);
      this.terminal += Number(isTerminal) - Number(wasTerminal);
      if (this.def.judged[i])
        this.judgedBad += Number(isBadCode(patch.status)) - Number(isBadCode(before));
      this.notifyChildren(i, before, -1);
      this.notifyChildren(i, patch.status, +1);
    }
    this.inFlight += Number(this.isInFlight(i)) - Number(wasInFlight);
    this.conditionErrors +=
      Number(isConditionError(this.status[i]!, this.reasons.get(i))) - Number(wasConditionError);
    if (!wasWaiting && this.status[i] === StateCode.ready && this.dispatchedAt[i] === 0) {
      this.readyQueue.push(i);
    }
    this.touched.add(i);
  }

  setWorkflow(patch: Partial<WorkflowRecord>): void {
    Object.assign(this.wf, patch);
    this.wfTouched = true;
  }

  /** Next ready task not yet dispatched, in FIFO order, or undefined. */
  nextUndispatched(): number | undefined {
    while (this.readyHead < this.readyQueue.length) {
      const i = this.readyQueue[this.readyHead++]!;
      if (this.status[i] === StateCode.ready && this.dispatchedAt[i] === 0) return i;
    }
    this.readyQueue = [];
    this.readyHead = 0;
    return undefined;
  }

  /** Puts a task taken by nextUndispatched back at the head (the window was full after all). */
  unshiftUndispatched(i: number): void {
    if (this.readyHead > 0) this.readyQueue[--this.readyHead] = i;
    else this.readyQueue.unshift(i);
  }

  private isInFlight(i: number): boolean {
    const s = this.status[i];
    return s === StateCode.running || (s === StateCode.ready && this.dispatchedAt[i]! > 0);
  }

  private notifyChildren(i: number, code: number, sign: 1 | -1): void {
    if (!isTerminalCode(code)) return;
    const { childStart, children, conditionParents } = this.def;
    const completed = code === StateCode.completed;
    const bad = isBadCode(code);
    for (let k = childStart[i]!; k < childStart[i + 1]!; k++) {
      const c = children[k]!;
      this.term[c]! += sign;
      if (completed) this.done[c]! += sign;
      else if (bad) this.bad[c]! += sign;
      const reads = conditionParents.get(c);
      if (reads?.has(i)) this.condTerm.set(c, this.condTerm.get(c)! + sign);
    }
  }
}

function setOrDelete<V>(map: Map<number, V>, key: number, value: V | undefined): void {
  if (value === undefined) map.delete(key);
  else map.set(key, value);
}
