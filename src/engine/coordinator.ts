import { type RunState, summarize, wakeAt } from "../core/index.js";
import type { Telemetry } from "../observability/telemetry.js";
import { ConflictError, NotFoundError } from "../storage/ports.js";
import { applyBatch, reportTransition } from "./batch.js";
import {
  type CoordinatorConfig,
  DEFAULT_COORDINATOR_CONFIG,
  type Outcome,
  type SweepFn,
} from "./coordinatorConfig.js";
import type { Dispatcher } from "./dispatcher.js";
import type { Inbox, InboxEntry, InboxEvent } from "./inbox.js";
import type { OutputFetcher } from "./outputFetcher.js";
import type { QueueBudget } from "./queueBudget.js";
import type { LoadedState, StateStore } from "./stateStore.js";
import type { WorkflowIndex } from "./workflowIndex.js";

export type { CoordinatorConfig, Outcome, SweepFn, SweepRequest } from "./coordinatorConfig.js";
export { DEFAULT_COORDINATOR_CONFIG } from "./coordinatorConfig.js";

interface Work {
  readonly events: readonly InboxEvent[];
  readonly sweep?: SweepFn;
  readonly resolve: (o: Outcome) => void;
  readonly reject: (e: unknown) => void;
}

interface Session {
  leaseId: string | null;
  leasedAt: number;
  loaded: LoadedState | null;
  queue: Work[];
  running: boolean;
  inboxDue: boolean;
  lastInboxAt: number;
  indexedAt: number;
  indexedStatus: string | null;
  dirty: boolean;
  linger: ReturnType<typeof setTimeout> | null;
}

export interface CoordinatorDeps {
  readonly state: StateStore;
  readonly inbox: Inbox;
  readonly index: WorkflowIndex;
  readonly dispatcher: Dispatcher;
  readonly outputs: OutputFetcher;
  readonly budget: QueueBudget;
  readonly telemetry: Telemetry;
  readonly clock: () => number;
}

/**
 * Applies events to workflows, one load-apply-dispatch-write cycle at a time per workflow, under
 * the workflow's lease. Concurrent calls for the same workflow in this instance queue up
 * and are applied together by the next cycle (group commit). When another instance holds the
 * lease, events are parked in the workflow's inbox, which the holder drains while it works and
 * before it lets go; see docs/reliability.md for why nothing is lost or applied twice.
 *
 * Order inside a cycle: dispatch, then write. A crash between the two leaves the batch
 * unacknowledged: it is redelivered and re-applied to the old state, which dispatches the same
 * tasks with the same attempt again. So no task is ever stranded in "ready", and a task runs
 * twice only after such a crash (its second completion is a no-op by attempt number).
 */
export class Coordinator {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly deps: CoordinatorDeps,
    private readonly config: CoordinatorConfig = DEFAULT_COORDINATOR_CONFIG,
  ) {}

  /**
   * Applies events (and an optional sweep) to a workflow. Resolves once they are durable: in the
   * workflow's journal, or parked in its inbox.
   */
  apply(id: string, events: readonly InboxEvent[], sweep?: SweepFn): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const s = this.session(id);
      s.queue.push({ events, ...(sweep ? { sweep } : {}), resolve, reject });
      this.kick(id, s);
    });
  }

  /** Workflows this instance currently holds the lease of. */
  held(): string[] {
    return [...this.sessions].filter(([, s]) => s.leaseId !== null).map(([id]) => id);
  }

  /**
   * Finishes queued work, drains inboxes and lets every lease go, waiting up to `timeoutMs`:
   * for graceful shutdown and tests. The coordinator stays usable afterwards.
   */
  async flush(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.sessions.size > 0 && Date.now() < deadline) {
      await Promise.all([...this.sessions.keys()].map((id) => this.release(id)));
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private session(id: string): Session {
    let s = this.sessions.get(id);
    if (!s) {
      s = {
        leaseId: null,
        leasedAt: 0,
        loaded: null,
        queue: [],
        running: false,
        inboxDue: false,
        lastInboxAt: 0,
        indexedAt: 0,
        indexedStatus: null,
        dirty: false,
        linger: null,
      };
      this.sessions.set(id, s);
    }
    return s;
  }

  private kick(id: string, s: Session): void {
    if (s.running) return;
    s.running = true;
    if (s.linger) clearTimeout(s.linger);
    s.linger = null;
    // setImmediate, not now: calls made in the same tick join this cycle.
    setImmediate(() => void this.drive(id, s));
  }

  private async drive(id: string, s: Session): Promise<void> {
    while (s.queue.length > 0 || s.inboxDue) {
      const batch = s.queue.splice(0);
      try {
        const outcome = await this.cycleWithRetry(id, s, batch);
        for (const w of batch) w.resolve(outcome);
      } catch (e) {
        s.loaded = null;
        s.inboxDue = false;
        for (const w of batch) w.reject(e);
      }
    }
    s.running = false;
    if (s.leaseId !== null)
      s.linger = setTimeout(() => void this.release(id), this.config.lingerMs);
    else this.sessions.delete(id);
  }

  private async cycleWithRetry(id: string, s: Session, batch: Work[]): Promise<Outcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.cycle(id, s, batch);
      } catch (e) {
        if (!(e instanceof ConflictError) || attempt >= 3) throw e;
        // Someone else wrote (our lease lapsed?): reload and apply again; events are
        // idempotent. Renew rather than forget the lease: if it is still ours, forgetting it
        // would lock us out of our own workflow until it expired.
        this.deps.telemetry.count("lease.conflicts");
        s.loaded = null;
        s.leasedAt = 0;
      }
    }
  }

  private async cycle(id: string, s: Session, batch: Work[]): Promise<Outcome> {
    const { state, inbox, dispatcher, telemetry, clock } = this.deps;
    const now = clock();
    let events = batch.flatMap((w) => w.events);
    const held = await this.holdLease(id, s, now);
    if (held === "gone") return this.gone(id, s, events.length);
    if (!held) {
      s.inboxDue = false; // the holder drains it
      if (events.length === 0) return "busy";
      await inbox.put(id, events, now);
      telemetry.count("inbox.parked", events.length);
      // The holder may have let go after its last look into the inbox: try once more.
      const second = await this.holdLease(id, s, clock());
      if (second !== true) return second === "gone" ? this.gone(id, s, events.length) : "parked";
      events = [];
    }
    s.loaded ??= await state.load(id);
    if (!s.loaded) return this.gone(id, s, events.length);
    const loaded = s.loaded;
    const run = loaded.run;
    let drained: InboxEntry[] = [];
    if (s.inboxDue || now - s.lastInboxAt >= this.config.inboxPollMs) {
      drained = await inbox.list(id);
      s.inboxDue = false;
      s.lastInboxAt = now;
    }
    const sweeps = batch.flatMap((w) => (w.sweep ? [w.sweep(run, now)] : []));
    const t0 = performance.now();
    const { applied, t } = await applyBatch(
      run,
      [...drained.map((d) => d.event), ...events],
      sweeps,
      now,
      this.config,
      this.deps.outputs,
      (why) => telemetry.log("warn", `workflow ${id}: ${why}`),
      await this.deps.budget.forRun(run),
    );
    reportTransition(telemetry, id, run, applied, t);
    const dispatched = await dispatcher.dispatch(run, t.commands);
    telemetry.count("tasks.dispatched", dispatched);
    await dispatcher.signal(run, t.commands);
    if (t.delta.i.length > 0 || t.delta.wf) {
      const before = loaded.version.journalBytes;
      loaded.version = await state.append(id, loaded.version, t.delta);
      telemetry.observe("flush.bytes", loaded.version.journalBytes - before);
      s.dirty = true;
    }
    if (state.needsCompaction(loaded.version)) {
      loaded.version = await state.compact(id, loaded.version, run, s.leaseId!);
      telemetry.count("journal.compactions");
    }
    telemetry.observe("flush.ms", performance.now() - t0);
    telemetry.observe("batch.size", applied);
    if (drained.length > 0)
      await inbox.remove(
        id,
        drained.map((d) => d.key),
      );
    // The index is not the source of truth: a failed row write must not fail a durable batch.
    await this.maybeIndex(s, run, now, false).catch((e: unknown) => {
      telemetry.count("index.write_errors");
      telemetry.log(
        "warn",
        `workflow ${id}: index row not updated (the orphan sweep will): ${String(e)}`,
      );
    });
    return "applied";
  }

  /** True when we hold the lease (renewing or acquiring as needed), false when another does. */
  private async holdLease(id: string, s: Session, now: number): Promise<boolean | "gone"> {
    const { state } = this.deps;
    if (s.leaseId !== null) {
      if (now - s.leasedAt < (this.config.leaseS * 1000) / 3) return true;
      if (await state.renewLease(id, s.leaseId)) {
        s.leasedAt = now;
        return true;
      }
      s.leaseId = null;
      s.loaded = null;
    }
    // Unknown ids (never created, or purged) end here, from the definition cache when warm.
    if (!(await state.definition(id))) return "gone";
    let leaseId: string | null;
    try {
      leaseId = await state.acquireLease(id, this.config.leaseS);
    } catch (e) {
      if (e instanceof NotFoundError) return "gone";
      throw e;
    }
    if (leaseId === null) return false;
    s.leaseId = leaseId;
    s.leasedAt = now;
    s.loaded = null; // others may have written while we did not hold it
    s.inboxDue = true;
    this.deps.telemetry.count("lease.acquired");
    return true;
  }

  private async maybeIndex(s: Session, run: RunState, now: number, force: boolean): Promise<void> {
    const statusChanged = run.wf.status !== s.indexedStatus;
    if (!s.dirty && !statusChanged) return;
    if (!force && !statusChanged && now - s.indexedAt < this.config.indexEveryMs) return;
    await this.deps.index.put(summarize(run), now, wakeAt(run, now, this.config));
    s.indexedAt = now;
    s.indexedStatus = run.wf.status;
    s.dirty = false;
  }

  private gone(id: string, s: Session, events: number): Outcome {
    s.loaded = null;
    s.leaseId = null;
    if (events > 0)
      this.deps.telemetry.log(
        "warn",
        `workflow ${id} does not exist (purged?): dropped ${events} event(s)`,
      );
    this.deps.telemetry.count("events.dropped", events);
    return "gone";
  }

  /** Drains the inbox, refreshes the index, lets the lease go, and looks into the inbox once more. */
  private async release(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s || s.running || s.leaseId === null) return;
    s.linger = null;
    s.running = true;
    try {
      if ((await this.deps.inbox.list(id)).length > 0) {
        s.inboxDue = true;
        s.running = false;
        this.kick(id, s);
        return;
      }
      if (s.loaded) await this.maybeIndex(s, s.loaded.run, this.deps.clock(), true);
      await this.deps.state.releaseLease(id, s.leaseId);
    } catch (e) {
      this.deps.telemetry.log("warn", `workflow ${id}: releasing the lease failed: ${String(e)}`);
    }
    s.leaseId = null;
    s.loaded = null;
    s.running = false;
    if (s.queue.length > 0) return this.kick(id, s);
    this.sessions.delete(id);
    // Closes the lost-wake-up race: events parked after our last look, while we still held it.
    if ((await this.deps.inbox.list(id).catch(() => [])).length > 0) {
      const again = this.session(id);
      again.inboxDue = true;
      this.kick(id, again);
    }
  }
}
