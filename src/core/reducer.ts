import { takeChanges } from "./changes.js";
import type { CompiledWorkflow } from "./compile.js";
import { assertNever } from "./errors.js";
import type { ApplyOptions, Command, Event, Transition } from "./events.js";
import { endMapIfDone } from "./mapExpansion.js";
import { taskSpec } from "./mapState.js";
import { decidePending, decideTasks, settle } from "./propagate.js";
import { applyRerun } from "./rerun.js";
import { RunState } from "./runState.js";
import { isTerminalCode, isTerminalWorkflow, StateCode, TASK_STATES } from "./states.js";

/**
 * The reducer: `applyEvents(run, events, now) → { commands, delta }`. Time is an argument and
 * commands are data, so the same code drives the serverless coordinator, the local runner and
 * the tests, and replaying the same events gives the same state.
 */

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
  // Roots with a condition (over params) or a map start pending: decided now, once.
  const { parentStart, startsReady } = def;
  const decided: number[] = [];
  for (let i = 0; i < def.size; i++)
    if (parentStart[i] === parentStart[i + 1] && !startsReady[i]) decided.push(i);
  decideTasks(run, decided, now, opts);
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
      : redispatchStale(run, now, opts.repairAfterMs, commands, opts.repairableQueues);
  const roomUsed = new Map<string, number>();
  const held = opts.dispatchReady !== false ? fillWindow(run, now, opts, commands, roomUsed) : 0;
  finishIfDone(run, now, commands);
  return { commands, delta: takeChanges(run), ignored, repaired, roomUsed, held };
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
    case "rerun":
      return applyRerun(run, ev, now, commands, opts);
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
  if (run.expansions.size > 0 && run.expansions.has(i)) return MAPPED;
  const s = run.status[i]!;
  const current = run.attempt[i]!;
  if (ev.kind === "started") {
    // A start for an attempt the state has not reached yet (its dispatch was not written before
    // a crash, and the report overtook the redelivered failure that leads there) is simply not
    // applied: killing it would put that attempt on the kill list, and workers would drop its
    // every later dispatch.
    if (ev.attempt > current)
      return `attempt ${ev.attempt} is ahead of the state (current ${current})`;
    // A process that starts for an older attempt or a finished task is a zombie: stop it.
    if (ev.attempt < current || isTerminalCode(s)) {
      commands.push({ kind: "kill", task: i, attempt: ev.attempt });
      return ev.attempt < current
        ? `stale attempt ${ev.attempt} (current ${current})`
        : `task is ${TASK_STATES[s]}`;
    }
    if (s !== StateCode.ready) return `task is ${TASK_STATES[s]}`;
    if (run.dispatchedAt[i] === 0) return NOT_DISPATCHED;
    run.write(i, {
      status: StateCode.running,
      startedAt: within(ev.at, run.dispatchedAt[i]!, now),
    });
    return undefined;
  }
  const rejected = endRejection(run, ev);
  if (rejected !== undefined) return rejected;
  const startedAt = run.startedAt[i] || within(ev.at, run.dispatchedAt[i]!, now);
  const finishedAt = within(ev.at, startedAt, now);
  if (ev.kind === "completed") {
    run.write(i, {
      status: StateCode.completed,
      finishedAt,
      startedAt,
      output: ev.output ?? null,
      reason: undefined,
    });
    endMapIfDone(run, i, now);
    settle(run, i, now, opts);
    return undefined;
  }
  // The attempt has ended, but its message may come back (a worker that died before deleting
  // it, a timeout while the worker hangs): a kill marks the attempt superseded, so a worker
  // that receives it again drops it instead of running it.
  commands.push({ kind: "kill", task: i, attempt: current });
  const spec = taskSpec(run, i);
  // Retries count from the task's base: a rerun gives it its whole budget again.
  const round = current - (run.base.get(i) ?? 0);
  if (round <= spec.numRetries) {
    const backoffMs = Math.min(spec.retryBackoffS * 2 ** (round - 1), 3600) * 1000;
    run.write(i, {
      status: StateCode.ready,
      attempt: current + 1,
      dispatchedAt: 0,
      startedAt: 0,
      retryAt: now + backoffMs,
      reason: `attempt ${current} failed: ${ev.error}`,
    });
    return undefined;
  }
  run.write(i, { status: StateCode.failed, finishedAt, startedAt, reason: ev.error });
  endMapIfDone(run, i, now);
  settle(run, i, now, opts);
  return undefined;
}

/**
 * Why the reducer would ignore a `completed` or `failed` report in the run's current state, or
 * undefined when it would apply it. Exported so that work done before a batch (fetching spilled
 * outputs) is done only for reports that will count.
 */
export function endRejection(
  run: RunState,
  ev: { readonly task: number; readonly attempt: number },
): string | undefined {
  const i = ev.task;
  if (!(i >= 0 && i < run.size)) return `no task #${i}`;
  if (run.expansions.size > 0 && run.expansions.has(i)) return MAPPED;
  const s = run.status[i]!;
  const current = run.attempt[i]!;
  if (run.wf.status !== "running") return `workflow is ${run.wf.status}`;
  if (ev.attempt !== current) return `stale attempt ${ev.attempt} (current ${current})`;
  // A completion may overtake its own "started" report; a pending task was never dispatched.
  if (s !== StateCode.ready && s !== StateCode.running) return `task is ${TASK_STATES[s]}`;
  if (s === StateCode.ready && run.dispatchedAt[i] === 0) return NOT_DISPATCHED;
  return undefined;
}

/**
 * A time a worker reported, kept between what the coordinator knows: not before `low` (the
 * dispatch, or the start) and not after `now` (the report's arrival). Without one, `now`.
 */
function within(at: number | undefined, low: number, now: number): number {
  if (at === undefined || !Number.isFinite(at)) return now;
  return Math.min(now, Math.max(low, at));
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
    // An expanded map "runs" its instances, but nothing was ever sent for it.
    if ((s === StateCode.running && !run.expansions.has(i)) || run.dispatchedAt[i]! > 0)
      commands.push({ kind: "kill", task: i, attempt: run.attempt[i]! });
    run.write(i, { status: StateCode.cancelled, finishedAt: now, retryAt: 0, reason });
  }
  run.setWorkflow({ status: "cancelled", finishedAt: now, reason });
  commands.push({ kind: "finish", status: "cancelled" });
  return undefined;
}

/** Dispatches waiting ready tasks, oldest first, while the flow-control window has room. */
function fillWindow(
  run: RunState,
  now: number,
  opts: ApplyOptions,
  commands: Command[],
  used: Map<string, number>,
): number {
  if (run.wf.status !== "running") return 0;
  const maxInFlight = Math.min(
    opts.maxInFlight ?? Number.POSITIVE_INFINITY,
    run.def.maxParallelism,
  );
  // Tasks whose queue is full stay at the head of the ready queue, in order. The look-ahead is
  // bounded so that a full queue costs a cycle O(MAX_HELD), not O(ready tasks).
  const held: number[] = [];
  while (run.inFlight < maxInFlight && held.length < MAX_HELD) {
    const i = run.nextUndispatched();
    if (i === undefined) break;
    const queue = run.def.tasks[run.taskOf(i)]!.queue;
    const room = opts.queueRoom?.get(queue);
    if (room !== undefined) {
      const n = used.get(queue) ?? 0;
      if (n >= room) {
        held.push(i);
        continue;
      }
      used.set(queue, n + 1);
    }
    const delayMs = Math.max(0, (run.retryAt.get(i) ?? 0) - now);
    run.write(i, { dispatchedAt: now, retryAt: 0 });
    commands.push({ kind: "dispatch", task: i, attempt: run.attempt[i]!, delayMs });
  }
  for (let k = held.length - 1; k >= 0; k--) run.unshiftUndispatched(held[k]!);
  return held.length;
}

const MAX_HELD = 1000;

/**
 * Only a report of a dispatched attempt may move a task: a forged or confused report for a ready
 * task that no message carries would mark it running (or done) with nothing anywhere to run it.
 */
const NOT_DISPATCHED = "the attempt was never dispatched";

/** A mapped task that expanded never runs itself: its instances (`name[k]`) do. */
const MAPPED = "the task was mapped: its instances run, not it";

function finishIfDone(run: RunState, now: number, commands: Command[]): void {
  if (run.wf.status !== "running" || run.terminal !== run.size) return;
  const status = run.judgedBad > 0 ? "failed" : "completed";
  const which = run.def.definition.result_policy === "all_tasks" ? "task(s)" : "final task(s)";
  const reason = status === "failed" ? `${run.judgedBad} ${which} did not succeed` : null;
  run.setWorkflow({ status, finishedAt: now, reason });
  commands.push({ kind: "finish", status });
}

function redispatchStale(
  run: RunState,
  now: number,
  staleMs: number,
  commands: Command[],
  repairableQueues: ReadonlySet<string> | undefined,
): number {
  if (run.wf.status !== "running") return 0;
  let repaired = 0;
  for (let i = 0; i < run.size; i++) {
    const at = run.dispatchedAt[i]!;
    const repairable = repairableQueues?.has(taskSpec(run, i).queue) ?? true;
    if (run.status[i] === StateCode.ready && at > 0 && now - at > staleMs && repairable) {
      run.write(i, { dispatchedAt: now });
      commands.push({ kind: "dispatch", task: i, attempt: run.attempt[i]!, delayMs: 0 });
      repaired++;
    }
  }
  return repaired;
}
