import { type Changes, takeChanges } from "./changes.js";
import type { CompiledWorkflow } from "./compile.js";
import { evaluateCondition } from "./condition/index.js";
import { assertNever } from "./errors.js";
import type { Json } from "./json.js";
import { RunState } from "./runState.js";
import { isTerminalCode, isTerminalWorkflow, T, TASK_STATES } from "./states.js";

/**
 * The reducer: `applyEvents(run, events, now) → { commands, delta }`. Time is an argument and
 * commands are data, so the same code drives the serverless coordinator, the local runner and
 * the tests, and replaying the same events gives the same state.
 */

/** What happened, as reported by workers, sweeps and operators. Tasks are compiled indices. */
export type Event =
  | { readonly kind: "started"; readonly task: number; readonly attempt: number }
  | {
      readonly kind: "completed";
      readonly task: number;
      readonly attempt: number;
      readonly output?: Json;
    }
  | {
      readonly kind: "failed";
      readonly task: number;
      readonly attempt: number;
      readonly error: string;
    }
  | { readonly kind: "cancel"; readonly reason?: string }
  | { readonly kind: "admit" };

/** What the caller must do next. */
export type Command =
  | {
      readonly kind: "dispatch";
      readonly task: number;
      readonly attempt: number;
      readonly delayMs: number;
    }
  | { readonly kind: "kill"; readonly task: number; readonly attempt: number }
  | { readonly kind: "finish"; readonly status: "completed" | "failed" | "cancelled" };

export interface ApplyOptions {
  /** Flow control: at most this many tasks dispatched and not yet terminal. */
  readonly maxInFlight?: number;
  /**
   * Maps a stored output to the value a condition reads. The serverless path stores large
   * outputs as references to blobs and fetches the ones a condition needs before applying.
   */
  readonly resolveOutput?: (task: number, stored: Json) => Json;
  /** Ready-repair in the same transition: re-dispatch tasks dispatched this long ago, never started. */
  readonly repairAfterMs?: number;
  /** Limits ready-repair to some tasks (e.g. those whose queue is empty, so no message waits). */
  readonly repairable?: (task: number) => boolean;
  /** Decide pending tasks that their parents already decide (see `reconcile`) before the events. */
  readonly reconcile?: boolean;
}

export interface Transition {
  readonly commands: Command[];
  /** The changed task and workflow records: persist it to make the transition durable. */
  readonly delta: Changes;
  /** Events that changed nothing (duplicates, stale attempts), with why: for logs and metrics. */
  readonly ignored: Array<{ readonly event: Event; readonly why: string }>;
  /** Tasks ready-repair dispatched again. */
  readonly repaired: number;
}

/** A new run: roots ready; dispatched at once when admitted, else waiting for `admit`. */
export function createRun(
  def: CompiledWorkflow,
  id: string,
  now: number,
  opts: ApplyOptions & { readonly admitted?: boolean } = {},
): { run: RunState; transition: Transition } {
  const admitted = opts.admitted ?? true;
  const run = new RunState(def, id, {
    status: admitted ? "running" : "pending",
    createdAt: now,
    startedAt: admitted ? now : 0,
    finishedAt: 0,
    reason: null,
  });
  run.wfTouched = true;
  return { run, transition: applyEvents(run, [], now, opts) };
}

export function applyEvents(
  run: RunState,
  events: readonly Event[],
  now: number,
  opts: ApplyOptions = {},
): Transition {
  const commands: Command[] = [];
  const ignored: Array<{ event: Event; why: string }> = [];
  if (opts.reconcile) decidePending(run, now, opts);
  for (const event of events) {
    const why = applyOne(run, event, now, commands, opts);
    if (why) ignored.push({ event, why });
  }
  const repaired =
    opts.repairAfterMs === undefined
      ? 0
      : redispatchStale(run, now, opts.repairAfterMs, commands, opts.repairable);
  fillWindow(run, now, opts.maxInFlight ?? Number.POSITIVE_INFINITY, commands);
  finishIfDone(run, now, commands);
  return { commands, delta: takeChanges(run), ignored, repaired };
}

/** Applies one event; returns why it was ignored, or undefined when it took effect. */
function applyOne(
  run: RunState,
  ev: Event,
  now: number,
  commands: Command[],
  opts: ApplyOptions,
): string | undefined {
  switch (ev.kind) {
    case "admit":
      if (run.wf.status !== "pending") return `workflow is ${run.wf.status}`;
      run.setWorkflow({ status: "running", startedAt: now });
      return undefined;
    case "cancel":
      return cancel(run, now, ev.reason ?? "cancelled", commands);
    case "started":
    case "completed":
    case "failed":
      return applyTaskEvent(run, ev, now, commands, opts);
    default:
      return assertNever(ev, "event");
  }
}

function applyTaskEvent(
  run: RunState,
  ev: Extract<Event, { task: number }>,
  now: number,
  commands: Command[],
  opts: ApplyOptions,
): string | undefined {
  const i = ev.task;
  if (!(i >= 0 && i < run.size)) return `no task #${i}`;
  const s = run.status[i]!;
  const current = run.attempt[i]!;
  if (ev.kind === "started") {
    // A process that starts for a stale attempt or a finished task is a zombie: stop it.
    if (ev.attempt !== current || isTerminalCode(s)) {
      commands.push({ kind: "kill", task: i, attempt: ev.attempt });
      return ev.attempt !== current
        ? `stale attempt ${ev.attempt} (current ${current})`
        : `task is ${TASK_STATES[s]}`;
    }
    if (s !== T.ready) return `task is ${TASK_STATES[s]}`;
    run.write(i, { status: T.running, startedAt: now, dispatchedAt: run.dispatchedAt[i] || now });
    return undefined;
  }
  if (run.wf.status !== "running") return `workflow is ${run.wf.status}`;
  if (ev.attempt !== current) return `stale attempt ${ev.attempt} (current ${current})`;
  // A completion may overtake its own "started" report; a pending task was never dispatched.
  if (s !== T.ready && s !== T.running) return `task is ${TASK_STATES[s]}`;
  if (ev.kind === "completed") {
    run.write(i, {
      status: T.completed,
      finishedAt: now,
      startedAt: run.startedAt[i] || now,
      output: ev.output ?? null,
      reason: undefined,
    });
    settle(run, i, now, opts);
    return undefined;
  }
  const spec = run.def.tasks[i]!;
  if (current <= spec.numRetries) {
    const backoffMs = Math.min(spec.retryBackoffS * 2 ** (current - 1), 3600) * 1000;
    run.write(i, {
      status: T.ready,
      attempt: current + 1,
      dispatchedAt: 0,
      startedAt: 0,
      retryAt: now + backoffMs,
      reason: `attempt ${current} failed: ${ev.error}`,
    });
    return undefined;
  }
  run.write(i, {
    status: T.failed,
    finishedAt: now,
    startedAt: run.startedAt[i] || now,
    reason: ev.error,
  });
  settle(run, i, now, opts);
  return undefined;
}

/**
 * Propagates a task that became terminal to its descendants. Iterative worklist: a 100k-task
 * chain of skips must not overflow the stack.
 */
function settle(run: RunState, first: number, now: number, opts: ApplyOptions): void {
  const { childStart, children } = run.def;
  const work = [first];
  while (work.length > 0) {
    const p = work.pop()!;
    for (let k = childStart[p]!; k < childStart[p + 1]!; k++) {
      const c = children[k]!;
      // Only pending children decide: an `any` merge that is already ready must not be
      // readied (and dispatched, and counted) again by its other parents.
      if (run.status[c] === T.pending && decide(run, c, now, opts)) work.push(c);
    }
  }
}

/** Decides a pending task from its parents' outcomes; returns true if it became terminal. */
function decide(run: RunState, c: number, now: number, opts: ApplyOptions): boolean {
  const def = run.def;
  const total = def.parentStart[c + 1]! - def.parentStart[c]!;
  const need = def.need[c]!;
  const bad = run.bad[c]!;
  if (bad > total - need) {
    const culprit = firstParent(
      run,
      c,
      (s) => s === T.failed || s === T.upstream_failed || s === T.cancelled,
    );
    return finish(
      run,
      c,
      T.upstream_failed,
      now,
      `${bad} of ${total} dependencies did not succeed (e.g. "${culprit}": ${TASK_STATES[run.status[def.index.get(culprit)!]!]}) and dep_policy ${describePolicy(def, c)} can no longer be met`,
    );
  }
  if (run.done[c]! >= need) {
    const spec = def.tasks[c]!;
    if (spec.condition !== null) {
      // Wait until every parent the condition reads has an outcome: the result must not
      // depend on the order in which parents finish.
      if (run.condTerm.get(c)! < def.conditionParents.get(c)!.size) return false;
      const result = evaluateCondition(spec.condition, completedInputs(run, c, opts.resolveOutput));
      if (!result.ok || !result.value) {
        const reason = result.ok
          ? `condition is false: ${spec.condition.source}`
          : `condition could not be evaluated: ${result.reason}`;
        return finish(run, c, T.skipped, now, reason);
      }
    }
    run.write(c, { status: T.ready });
    return false;
  }
  if (run.term[c] === total) {
    return finish(
      run,
      c,
      T.skipped,
      now,
      `only ${run.done[c]} of ${total} dependencies completed, the others were skipped; dep_policy ${describePolicy(def, c)} not met`,
    );
  }
  return false;
}

function finish(run: RunState, i: number, status: number, now: number, reason: string): true {
  run.write(i, { status, finishedAt: now, reason });
  return true;
}

/** The outputs of the parents of `c` that completed, keyed by name, in definition order. */
export function completedInputs(
  run: RunState,
  c: number,
  resolve?: (task: number, stored: Json) => Json,
): Map<string, Json> {
  const { parentStart, parents, tasks } = run.def;
  const inputs = new Map<string, Json>();
  for (let k = parentStart[c]!; k < parentStart[c + 1]!; k++) {
    const p = parents[k]!;
    if (run.status[p] !== T.completed) continue;
    const stored = run.outputs.get(p) ?? null;
    inputs.set(tasks[p]!.name, resolve ? resolve(p, stored) : stored);
  }
  return inputs;
}

function firstParent(run: RunState, c: number, pred: (status: number) => boolean): string {
  const { parentStart, parents, tasks } = run.def;
  for (let k = parentStart[c]!; k < parentStart[c + 1]!; k++) {
    if (pred(run.status[parents[k]!]!)) return tasks[parents[k]!]!.name;
  }
  return "?";
}

function describePolicy(def: CompiledWorkflow, c: number): string {
  const p = def.tasks[c]!.depPolicy;
  return typeof p === "number" ? `${p} (at least ${p} must complete)` : `"${p}"`;
}

function cancel(
  run: RunState,
  now: number,
  reason: string,
  commands: Command[],
): string | undefined {
  if (isTerminalWorkflow(run.wf.status)) return `workflow is ${run.wf.status}`;
  for (let i = 0; i < run.size; i++) {
    const s = run.status[i]!;
    if (isTerminalCode(s)) continue;
    if (s === T.running || run.dispatchedAt[i]! > 0)
      commands.push({ kind: "kill", task: i, attempt: run.attempt[i]! });
    run.write(i, { status: T.cancelled, finishedAt: now, retryAt: 0, reason });
  }
  run.setWorkflow({ status: "cancelled", finishedAt: now, reason });
  commands.push({ kind: "finish", status: "cancelled" });
  return undefined;
}

/** Dispatches waiting ready tasks, oldest first, while the flow-control window has room. */
function fillWindow(run: RunState, now: number, maxInFlight: number, commands: Command[]): void {
  if (run.wf.status !== "running") return;
  while (run.inFlight < maxInFlight) {
    const i = run.nextUndispatched();
    if (i === undefined) return;
    const delayMs = Math.max(0, (run.retryAt.get(i) ?? 0) - now);
    run.write(i, { dispatchedAt: now, retryAt: 0 });
    commands.push({ kind: "dispatch", task: i, attempt: run.attempt[i]!, delayMs });
  }
}

function finishIfDone(run: RunState, now: number, commands: Command[]): void {
  if (run.wf.status !== "running" || run.terminal !== run.size) return;
  const status = run.sinkBad > 0 ? "failed" : "completed";
  const reason = status === "failed" ? `${run.sinkBad} final task(s) did not succeed` : null;
  run.setWorkflow({ status, finishedAt: now, reason });
  commands.push({ kind: "finish", status });
}

/** Running attempts past their task's timeout, as the failure events a sweep should apply. */
export function timedOut(run: RunState, now: number): Event[] {
  const events: Event[] = [];
  for (let i = 0; i < run.size; i++) {
    const timeoutS = run.def.tasks[i]!.timeoutS;
    if (run.status[i] !== T.running || timeoutS === null) continue;
    if (now - run.startedAt[i]! > timeoutS * 1000) {
      events.push({
        kind: "failed",
        task: i,
        attempt: run.attempt[i]!,
        error: `timed out after ${timeoutS}s`,
      });
    }
  }
  return events;
}

/**
 * Ready-repair: tasks dispatched more than `staleMs` ago that no worker has reported started
 * (the message was lost, or purged, or a worker dropped it). Re-dispatches them with the same
 * attempt, so a duplicate delivery stays harmless.
 */
export function repairReady(run: RunState, now: number, staleMs: number): Transition {
  return applyEvents(run, [], now, { repairAfterMs: staleMs, maxInFlight: 0 });
}

function redispatchStale(
  run: RunState,
  now: number,
  staleMs: number,
  commands: Command[],
  repairable: ((task: number) => boolean) | undefined,
): number {
  if (run.wf.status !== "running") return 0;
  let repaired = 0;
  for (let i = 0; i < run.size; i++) {
    const at = run.dispatchedAt[i]!;
    if (run.status[i] === T.ready && at > 0 && now - at > staleMs && (repairable?.(i) ?? true)) {
      run.write(i, { dispatchedAt: now });
      commands.push({ kind: "dispatch", task: i, attempt: run.attempt[i]!, delayMs: 0 });
      repaired++;
    }
  }
  return repaired;
}

/**
 * Decides every pending task whose parents' outcomes already decide it. The reducer does this
 * as parents finish, so on a healthy state it changes nothing; the orphan sweep runs it to
 * repair a state written by an older or faulty version. O(tasks).
 */
export function reconcile(run: RunState, now: number, opts: ApplyOptions = {}): Transition {
  return applyEvents(run, [], now, { ...opts, reconcile: true });
}

function decidePending(run: RunState, now: number, opts: ApplyOptions): void {
  if (run.wf.status !== "running") return;
  for (let i = 0; i < run.size; i++) {
    if (run.status[i] === T.pending && decide(run, i, now, opts)) settle(run, i, now, opts);
  }
}
