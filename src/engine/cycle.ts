import {
  type RunState,
  restore,
  snapshot,
  summarize,
  type Transition,
  wakeAt,
} from "../core/index.js";
import { applyBatch, ReduceError, reportTransition } from "./batch.js";
import type { CoordinatorConfig, CoordinatorDeps, Outcome } from "./coordinatorConfig.js";
import type { InboxEntry, InboxEvent } from "./inbox.js";
import type { Work, WorkflowSession } from "./session.js";
import type { LoadedState } from "./stateStore.js";

/**
 * One load-apply-dispatch-write cycle of a workflow session, in five named steps:
 *
 * 1. lease: hold the workflow's lease (acquire, or renew when a third of it has passed), or park
 *    the batch's events in the inbox for the instance that holds it;
 * 2. load: the state cached from our last write, or loaded after (re)acquiring; the inbox when
 *    due (the lease just acquired, or the coordinator's look found events parked for us);
 * 3. apply and dispatch: the reducer over inbox events, queued events and sweeps; then the task
 *    messages and the signals blob it asks for;
 * 4. persist: the delta appended to the journal (ETag-conditional); compaction when due;
 * 5. after persisting: the drained inbox entries removed, the index row refreshed when due.
 *
 * Dispatch comes before the write: a crash between the two leaves the batch unacknowledged; it
 * is redelivered and re-applied to the old state, which dispatches the same tasks with the same
 * attempt again. So no task is ever stranded in "ready", and a task runs twice only after such a
 * crash (its second completion is a no-op by attempt number).
 */
export class Cycle {
  constructor(
    private readonly deps: CoordinatorDeps,
    private readonly config: CoordinatorConfig,
  ) {}

  /** One cycle over a batch of queued work; ConflictError when another writer won a race. */
  async run(s: WorkflowSession, batch: readonly Work[]): Promise<Outcome> {
    const now = this.deps.clock();
    const leased = await this.leaseOrPark(s, batch, now);
    if ("outcome" in leased) return leased.outcome;
    const loaded = await this.load(s);
    if (!loaded) return this.gone(s, leased.events.length);
    const t0 = performance.now();
    const applied = await this.applyAndDispatch(s, loaded.state, {
      events: [...loaded.drained.map((d) => d.event), ...leased.events],
      batch,
      now,
    });
    if (!applied) return this.gone(s, leased.events.length);
    await this.persist(s, applied.state, applied.t);
    this.deps.telemetry.observe("flush.ms", performance.now() - t0);
    this.deps.telemetry.observe("batch.size", applied.applied);
    await this.afterPersist(s, applied.state.run, loaded.drained, now);
    return "applied";
  }

  /**
   * Step 1: hold the lease, or park the batch's events in the inbox for the instance that holds
   * it. Returns the events this cycle applies (none when they were parked and we got the lease
   * after all: the inbox drain picks them up), or how the cycle ends without applying.
   */
  private async leaseOrPark(
    s: WorkflowSession,
    batch: readonly Work[],
    now: number,
  ): Promise<{ readonly events: readonly InboxEvent[] } | { readonly outcome: Outcome }> {
    const { inbox, telemetry, clock } = this.deps;
    const events = batch.flatMap((w) => w.events);
    const held = await this.holdLease(s, now);
    if (held === "gone") return { outcome: this.gone(s, events.length) };
    if (held) return { events };
    s.inboxDue = false; // the holder drains it
    if (events.length === 0) return { outcome: "busy" };
    await inbox.put(s.id, events, now);
    telemetry.count("inbox.parked", events.length);
    // The holder may have let go after its last look into the inbox: try once more.
    const second = await this.holdLease(s, clock());
    if (second === true) return { events: [] };
    return { outcome: second === "gone" ? this.gone(s, events.length) : "parked" };
  }

  /** Step 2: the state (cached from our last write, or loaded) and, when due, the inbox. */
  private async load(
    s: WorkflowSession,
  ): Promise<{ readonly state: LoadedState; readonly drained: InboxEntry[] } | null> {
    s.loaded ??= await this.deps.state.load(s.id);
    if (!s.loaded) return null;
    let drained: InboxEntry[] = [];
    if (s.inboxDue) {
      drained = await this.deps.inbox.list(s.id);
      s.inboxDue = false;
    }
    return { state: s.loaded, drained };
  }

  /**
   * Step 3: the reducer over the batch, then its task messages and signals sent. Null when the
   * workflow turned out to be gone.
   */
  private async applyAndDispatch(
    s: WorkflowSession,
    loaded: LoadedState,
    input: { readonly events: readonly InboxEvent[]; readonly batch: readonly Work[]; now: number },
  ): Promise<{ applied: number; t: Transition; state: LoadedState } | null> {
    const { dispatcher, telemetry } = this.deps;
    let state = loaded;
    let result: { applied: number; t: Transition; room?: ReadonlyMap<string, number> };
    // Reports of ended tasks mean their messages are (being) deleted: room for the next ones.
    this.deps.budget.freed(
      loaded.run,
      input.events.flatMap((e) => (e.kind === "completed" || e.kind === "failed" ? [e.task] : [])),
    );
    try {
      result = await this.reduce(s, state.run, input.events, input);
    } catch (e) {
      if (!(e instanceof ReduceError)) throw e;
      const isolated = await this.isolate(s, input, e);
      if (!isolated) return null;
      state = isolated.state;
      result = isolated.result;
    }
    const { run } = state;
    const { t } = result;
    this.deps.budget.used(t.roomUsed);
    this.deps.budget.settled(s.id, result.room, t.roomUsed, t.held > 0);
    reportTransition(telemetry, s.id, run, result.applied, t);
    const dispatched = await dispatcher.dispatch(run, t.commands);
    telemetry.count("tasks.dispatched", dispatched);
    await dispatcher.signal(run, t.commands);
    return { ...result, state };
  }

  private async reduce(
    s: WorkflowSession,
    run: RunState,
    events: readonly InboxEvent[],
    input: { readonly batch: readonly Work[]; now: number },
  ): Promise<{ applied: number; t: Transition; room?: ReadonlyMap<string, number> }> {
    const room = await this.queueRoom(run);
    const applied = await applyBatch({
      run,
      events,
      sweeps: input.batch.flatMap((w) => (w.sweep ? [w.sweep(run, input.now)] : [])),
      now: input.now,
      config: this.config,
      outputs: this.deps.outputs,
      warn: (why) => this.deps.telemetry.log("warn", `workflow ${s.id}: ${why}`),
      ...room,
      ...(this.deps.reduce ? { reduce: this.deps.reduce } : {}),
    });
    return { ...applied, ...(room.queueRoom ? { room: room.queueRoom } : {}) };
  }

  /**
   * The reducer threw on this batch. One bad report must not sink the others (nor, through a
   * retried message, other workflows' reports travelling with it): the state, half applied,
   * is dropped and loaded again; each report is tried alone on a copy; the ones that throw go
   * to the poison queue with the reason, and the rest are applied. If no report throws alone
   * (only the combination does), the error stands: the message is retried, then set aside.
   */
  private async isolate(
    s: WorkflowSession,
    input: { readonly events: readonly InboxEvent[]; readonly batch: readonly Work[]; now: number },
    first: ReduceError,
  ): Promise<{ state: LoadedState; result: { applied: number; t: Transition } } | null> {
    s.loaded = null;
    const fresh = await this.deps.state.load(s.id);
    if (!fresh) return null;
    const base = snapshot(fresh.run);
    const bad = new Map<InboxEvent, string>();
    for (const event of input.events) {
      const scratch = restore(fresh.run.def, s.id, base);
      try {
        await this.reduce(s, scratch, [event], { batch: [], now: input.now });
      } catch (e) {
        if (!(e instanceof ReduceError)) throw e;
        bad.set(event, e.message);
      }
    }
    if (bad.size === 0) throw first;
    for (const [event, reason] of bad) {
      await this.deps.poison(event, `workflow ${s.id}: ${reason}`);
      this.deps.telemetry.count("completions.poisoned");
      this.deps.telemetry.log("error", `workflow ${s.id}: a report set aside: ${reason}`);
    }
    s.loaded = fresh;
    const rest = input.events.filter((e) => !bad.has(e));
    return { state: fresh, result: await this.reduce(s, fresh.run, rest, input) };
  }

  private async queueRoom(run: RunState): Promise<{ queueRoom?: ReadonlyMap<string, number> }> {
    const queueRoom = await this.deps.budget.roomFor(run);
    return queueRoom ? { queueRoom } : {};
  }

  /** Step 4: the delta appended to the journal; the journal compacted when it has grown. */
  private async persist(s: WorkflowSession, loaded: LoadedState, t: Transition): Promise<void> {
    const { state, telemetry } = this.deps;
    if (t.delta.i.length > 0 || t.delta.wf) {
      const before = loaded.version.journalBytes;
      loaded.version = await state.append(s.id, loaded.version, t.delta);
      telemetry.observe("flush.bytes", loaded.version.journalBytes - before);
      s.index.dirty = true;
    }
    if (state.needsCompaction(loaded.version)) {
      loaded.version = await state.compact(s.id, loaded.version, loaded.run, s.lease.id);
      telemetry.count("journal.compactions");
    }
  }

  /** Step 5, once the batch is durable: drained inbox entries removed, the index row refreshed. */
  private async afterPersist(
    s: WorkflowSession,
    run: RunState,
    drained: readonly InboxEntry[],
    now: number,
  ): Promise<void> {
    const { inbox, telemetry } = this.deps;
    if (drained.length > 0)
      await inbox.remove(
        s.id,
        drained.map((d) => d.key),
      );
    // The index is not the source of truth: a failed row write must not fail a durable batch.
    await this.maybeIndex(s, run, now, false).catch((e: unknown) => {
      telemetry.count("index.write_errors");
      telemetry.log(
        "warn",
        `workflow ${s.id}: index row not updated (the orphan sweep will): ${String(e)}`,
      );
    });
  }

  /** True when we hold the lease (renewing or acquiring as needed), false when another does. */
  private async holdLease(s: WorkflowSession, now: number): Promise<boolean | "gone"> {
    if (s.lease.held) {
      if (await s.lease.renew(now)) return true;
      s.loaded = null;
    }
    // Unknown ids (never created, or purged) end here, from the definition cache when warm.
    if (!(await this.deps.state.definition(s.id))) return "gone";
    const created = s.created;
    s.created = null;
    const acquired = await s.lease.acquire(now);
    if (acquired !== "acquired") return acquired === "gone" ? "gone" : false;
    this.deps.telemetry.count("lease.acquired");
    if (created) {
      s.loaded = created;
      Object.assign(s.index, { at: now, status: created.run.wf.status, dirty: false });
      return true;
    }
    s.loaded = null; // others may have written while we did not hold it
    s.inboxDue = true;
    return true;
  }

  /** Writes the index row when the state moved and it is due (at once when `force`). */
  async maybeIndex(s: WorkflowSession, run: RunState, now: number, force: boolean): Promise<void> {
    const statusChanged = run.wf.status !== s.index.status;
    if (!s.index.dirty && !statusChanged) return;
    if (!force && !statusChanged && now - s.index.at < this.config.indexEveryMs) return;
    await this.deps.index.put(summarize(run), now, wakeAt(run, now, this.config));
    s.index.at = now;
    s.index.status = run.wf.status;
    s.index.dirty = false;
  }

  private gone(s: WorkflowSession, events: number): Outcome {
    s.loaded = null;
    s.lease.forget();
    if (events > 0)
      this.deps.telemetry.log(
        "warn",
        `workflow ${s.id} does not exist (purged?): dropped ${events} event(s)`,
      );
    this.deps.telemetry.count("events.dropped", events);
    return "gone";
  }
}
