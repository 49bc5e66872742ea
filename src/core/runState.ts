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
 * A mapped task's expansion: its instances are the tasks `first` ... `first + items.length - 1`,
 * appended after the compiled tasks (and after earlier expansions) in the order maps expanded.
 * Only expansions with at least one item exist: a map over an empty list skips its task.
 */
export interface Expansion {
  readonly first: number;
  readonly items: readonly Json[];
  /** Instances that are terminal, and those of them that failed or were cancelled. */
  term: number;
  bad: number;
}

/**
 * The mutable state of one workflow run: a few typed arrays indexed by task (about 40 bytes a
 * task), sparse maps for what few tasks have (outputs, reasons, retry times), and counters that
 * every write keeps in step, so that no hot-path operation scans the workflow.
 *
 * Tasks are the compiled ones (0 ... def.size - 1), then the instances of mapped tasks, appended
 * as maps expand (`expand`): an instance is a task like the others, with its mapped task's spec
 * (mapState.ts names and finds them). The mapped task itself (its "head") stays as the summary
 * of its instances, and its children count the instances as their dependencies instead of it.
 *
 * Timestamps are epoch milliseconds; 0 means "not set". All writes go through `write()`, which
 * updates the summary counts, the in-flight count, the ready queue, the sink tally, the
 * children's dependency counters, and remembers which tasks changed for the next delta.
 *
 * It is mutable on purpose: applying a completion to a 100k-task workflow must cost O(changes),
 * and copying the arrays per event would make it O(tasks).
 */
export class RunState {
  /** Tasks in the state: the compiled ones and every instance of an expanded map. */
  size: number;
  // Reallocated (larger) when a map expands: never keep a reference across a transition.
  status: Uint8Array;
  attempt: Uint16Array;
  dispatchedAt: Float64Array;
  startedAt: Float64Array;
  finishedAt: Float64Array;
  /**
   * Per compiled task: dependencies that completed, that failed/upstream_failed/cancelled, that
   * are terminal (an expanded map's instances counting one by one, the map itself not at all).
   */
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
  /** Expanded maps by their task, in the order they expanded. */
  readonly expansions = new Map<number, Expansion>();
  /** The mapped task of each instance, by instance index minus def.size. */
  readonly heads: number[] = [];
  /** For the children of expanded maps: dependencies beyond the compiled count (N - 1 per map). */
  readonly extraParents = new Map<number, number>();
  /** Maps expanded since the last delta was taken: the delta records them. */
  newExpansions: number[] = [];
  /** Bumped at each expansion: caches of the task list (the name order) compare it. */
  generation = 0;
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
    this.capacity = n;
    this.status = new Uint8Array(n);
    this.attempt = new Uint16Array(n).fill(1);
    this.dispatchedAt = new Float64Array(n);
    this.startedAt = new Float64Array(n);
    this.finishedAt = new Float64Array(n);
    this.done = new Uint32Array(n);
    this.bad = new Uint32Array(n);
    this.term = new Uint32Array(n);
    for (const c of def.conditionParents.keys()) this.condTerm.set(c, 0);
    // Roots are ready from the start: derived from the DAG, no activation pass. (A root with a
    // condition or a map is decided when the run is created: reducer.ts, createRun.)
    for (let i = 0; i < n; i++) {
      if (def.startsReady[i]) {
        this.status[i] = StateCode.ready;
        this.readyQueue.push(i);
      }
    }
    this.counts[StateCode.ready] = this.readyQueue.length;
    this.counts[StateCode.pending] = n - this.readyQueue.length;
  }

  private capacity: number;

  /** The compiled task behind task `i`: itself, or an instance's mapped task. */
  taskOf(i: number): number {
    return i < this.def.size ? i : this.heads[i - this.def.size]!;
  }

  /** True when task `i` is a map's instance. */
  isInstance(i: number): boolean {
    return i >= this.def.size;
  }

  /** How many dependencies task `c` has: an expanded map counts once per instance. */
  parentTotal(c: number): number {
    const { parentStart } = this.def;
    const compiled = parentStart[c + 1]! - parentStart[c]!;
    // The hot path of every decision: no lookup at all while no map has expanded.
    return this.extraParents.size === 0 ? compiled : compiled + (this.extraParents.get(c) ?? 0);
  }

  /** How many dependencies must complete for `c`'s policy (need, for `all`, counts instances). */
  need(c: number): number {
    if (this.extraParents.size === 0) return this.def.need[c]!;
    return this.def.tasks[c]!.depPolicy === "all" ? this.parentTotal(c) : this.def.need[c]!;
  }

  /**
   * Appends the instances of mapped task `head`, one per item, ready, at `first` (the current
   * size: given when a delta is replayed, so a replay checks it rebuilds the same indices).
   * The head's own record is the caller's to write. Its children count the instances as their
   * dependencies from now on: the head's own end no longer moves their counters.
   */
  expand(head: number, items: readonly Json[], first = this.size): void {
    if (first !== this.size || this.expansions.has(head) || items.length === 0)
      throw new Error(`expansion of task #${head} at #${first} does not follow the state`);
    const to = this.size + items.length;
    if (to > this.capacity) this.grow(to);
    for (let j = this.size; j < to; j++) {
      this.status[j] = StateCode.ready;
      this.attempt[j] = 1;
      this.heads.push(head);
      this.readyQueue.push(j);
    }
    this.counts[StateCode.ready]! += items.length;
    this.size = to;
    this.expansions.set(head, { first, items, term: 0, bad: 0 });
    const { childStart, children } = this.def;
    for (let k = childStart[head]!; k < childStart[head + 1]!; k++) {
      const c = children[k]!;
      this.extraParents.set(c, (this.extraParents.get(c) ?? 0) + items.length - 1);
    }
    this.newExpansions.push(head);
    this.generation++;
  }

  private grow(to: number): void {
    const cap = Math.max(to, Math.ceil(this.capacity * 1.5));
    const wider = <A extends Uint8Array | Uint16Array | Float64Array>(old: A, made: A): A => {
      made.set(old);
      return made;
    };
    this.status = wider(this.status, new Uint8Array(cap));
    this.attempt = wider(this.attempt, new Uint16Array(cap));
    this.dispatchedAt = wider(this.dispatchedAt, new Float64Array(cap));
    this.startedAt = wider(this.startedAt, new Float64Array(cap));
    this.finishedAt = wider(this.finishedAt, new Float64Array(cap));
    this.capacity = cap;
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
      // An instance is never judged: its mapped task is, and ends failed when an instance did.
      if (i < this.def.size && this.def.judged[i])
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

  /** Dispatched and not ended; an expanded map "runs" while its instances do, but is not sent. */
  private isInFlight(i: number): boolean {
    const s = this.status[i];
    if (s === StateCode.running) return this.expansions.size === 0 || !this.expansions.has(i);
    return s === StateCode.ready && this.dispatchedAt[i]! > 0;
  }

  /**
   * A task's end (or its undoing, sign -1) counted in its children's counters. An instance
   * counts for its mapped task's children, and in its expansion's tally. An expanded map's own
   * end counts only where a condition waits for what it reads: its instances count for the rest.
   */
  private notifyChildren(i: number, code: number, sign: 1 | -1): void {
    if (!isTerminalCode(code)) return;
    const { childStart, children, conditionParents } = this.def;
    const completed = code === StateCode.completed;
    const bad = isBadCode(code);
    const from = this.taskOf(i);
    if (from !== i) {
      const exp = this.expansions.get(from)!;
      exp.term += sign;
      if (bad) exp.bad += sign;
    }
    const head = from === i && this.expansions.size > 0 && this.expansions.has(i);
    for (let k = childStart[from]!; k < childStart[from + 1]!; k++) {
      const c = children[k]!;
      if (!head) {
        this.term[c]! += sign;
        if (completed) this.done[c]! += sign;
        else if (bad) this.bad[c]! += sign;
      }
      if (from !== i) continue;
      const reads = conditionParents.get(c);
      if (reads?.has(i)) this.condTerm.set(c, this.condTerm.get(c)! + sign);
    }
  }
}

function setOrDelete<V>(map: Map<number, V>, key: number, value: V | undefined): void {
  if (value === undefined) map.delete(key);
  else map.set(key, value);
}
