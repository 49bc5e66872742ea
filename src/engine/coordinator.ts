import { ConflictError } from "../storage/ports.js";
import {
  type CoordinatorConfig,
  type CoordinatorDeps,
  DEFAULT_COORDINATOR_CONFIG,
  type Outcome,
  type SweepFn,
} from "./coordinatorConfig.js";
import { Cycle } from "./cycle.js";
import type { InboxEvent } from "./inbox.js";
import { lingerFor, type Work, WorkflowSession } from "./session.js";
import type { LoadedState } from "./stateStore.js";
import { WorkflowLease } from "./workflowLease.js";

export type {
  CoordinatorConfig,
  CoordinatorDeps,
  Outcome,
  SweepFn,
  SweepRequest,
} from "./coordinatorConfig.js";
export { DEFAULT_COORDINATOR_CONFIG } from "./coordinatorConfig.js";

/**
 * Applies events to workflows, one load-apply-dispatch-write cycle at a time per workflow, under
 * the workflow's lease (the cycle's steps are in cycle.ts). Concurrent calls for the same
 * workflow in this instance queue up and are applied together by the next cycle (group commit).
 * When another instance holds the lease, events are parked in the workflow's inbox, which the
 * holder drains when its look into the inbox table finds them and before it lets go; see
 * docs/reliability.md for why nothing is lost or applied twice. Each workflow has a session
 * here, whose modes (idle, running, lingering, releasing) and what moves them are described in
 * session.ts.
 */
export class Coordinator {
  private readonly sessions = new Map<string, WorkflowSession>();
  /** Workflows this instance parked events for, until it sees them drained. */
  private readonly watched = new Set<string>();
  private readonly cycle: Cycle;
  /** The next look into the inbox table, pending while this instance holds any lease. */
  private lookTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly deps: CoordinatorDeps,
    private readonly config: CoordinatorConfig = DEFAULT_COORDINATOR_CONFIG,
  ) {
    this.cycle = new Cycle(deps, config);
  }

  /**
   * Applies events (and an optional sweep) to a workflow. Resolves once they are durable: in the
   * workflow's journal, or parked in its inbox.
   */
  apply(id: string, events: readonly InboxEvent[], sweep?: SweepFn): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const s = this.session(id);
      s.queue.push({ events, ...(sweep ? { sweep } : {}), resolve, reject });
      this.kick(s);
    });
  }

  /**
   * The first cycle of a workflow this instance has just created, with the state it wrote: it
   * takes the lease and dispatches the roots without reading back the head, the journal and
   * the inbox, nor writing the index row the submit has just written.
   */
  start(id: string, created: LoadedState): Promise<Outcome> {
    const s = this.session(id);
    if (!s.lease.held) s.created = created;
    return this.apply(id, []);
  }

  /** Workflows this instance currently holds the lease of. */
  held(): string[] {
    return [...this.sessions.values()].filter((s) => s.lease.held).map((s) => s.id);
  }

  /**
   * Finishes queued work, drains inboxes and lets every lease go, waiting up to `timeoutMs` on
   * the engine's clock: for graceful shutdown and tests. The coordinator stays usable afterwards.
   */
  async flush(timeoutMs = 30_000): Promise<void> {
    const deadline = this.deps.clock() + timeoutMs;
    while (this.sessions.size > 0 && this.deps.clock() < deadline) {
      await Promise.all([...this.sessions.values()].map((s) => this.release(s)));
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private session(id: string): WorkflowSession {
    let s = this.sessions.get(id);
    if (!s) {
      s = new WorkflowSession(id, new WorkflowLease(this.deps.state, id, this.config.leaseS));
      this.sessions.set(id, s);
    }
    return s;
  }

  /** Work starts an idle or lingering session; a running or releasing one takes it later. */
  private kick(s: WorkflowSession): void {
    if (s.mode === "idle" || s.mode === "lingering") this.run(s);
  }

  private run(s: WorkflowSession): void {
    s.enter("running");
    // setImmediate, not now: calls made in the same tick join this cycle.
    setImmediate(() => void this.drive(s));
  }

  /** Drops a session that holds nothing; a later call starts a new one. */
  private drop(s: WorkflowSession): void {
    s.enter("idle");
    if (this.sessions.get(s.id) === s) this.sessions.delete(s.id);
  }

  private async drive(s: WorkflowSession): Promise<void> {
    while (s.queue.length > 0 || s.inboxDue) {
      const batch = s.queue.splice(0);
      try {
        const outcome = await this.cycleWithRetry(s, batch);
        if (outcome === "parked") this.watchParked(s.id);
        for (const w of batch) w.resolve(outcome);
      } catch (e) {
        s.loaded = null;
        s.inboxDue = false;
        for (const w of batch) w.reject(e);
      }
    }
    if (s.lease.held) {
      s.linger(lingerFor(s.loaded?.run, this.config), () => void this.release(s));
      this.lookLater();
    } else this.drop(s);
  }

  /**
   * While this instance holds leases, it looks into the inbox table every inboxPollMs, once for
   * all of them (not once per workflow, which would cost thousands of queries a second with
   * thousands of workflows lingering), and runs the sessions that have events parked for them.
   */
  private lookLater(): void {
    this.lookTimer ??= setTimeout(
      () => void this.lookForParked(),
      Math.max(20, this.config.inboxPollMs),
    );
    this.lookTimer.unref?.();
  }

  private async lookForParked(): Promise<void> {
    try {
      const holding = [...this.sessions.values()].filter((s) => s.lease.held);
      if (holding.length === 0) return;
      const parked = await this.deps.inbox.parked();
      for (const s of holding) {
        if (!parked.has(s.id) || s.mode === "releasing") continue;
        s.inboxDue = true;
        this.kick(s);
      }
    } catch (e) {
      this.deps.telemetry.log("warn", `looking for parked events: ${String(e)}`);
    } finally {
      this.lookTimer = null;
    }
    if (this.held().length > 0) this.lookLater();
  }

  private async cycleWithRetry(s: WorkflowSession, batch: readonly Work[]): Promise<Outcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.cycle.run(s, batch);
      } catch (e) {
        if (!(e instanceof ConflictError) || attempt >= 3) throw e;
        // Someone else wrote (our lease lapsed?): reload and apply again; events are
        // idempotent. Renew rather than forget the lease: if it is still ours, forgetting it
        // would lock us out of our own workflow until it expired.
        this.deps.telemetry.count("lease.conflicts");
        s.loaded = null;
        s.lease.doubt();
      }
    }
  }

  /**
   * Events parked for a holder that may be dead. A live holder drains its inbox within
   * inboxPollMs; a dead one (a host killed) drains nothing, and without a look from here the
   * events would wait for the orphan sweep (every 5 minutes), or for a later report of the same
   * workflow, which a chain at its last running task never sends. So this instance looks every
   * parkWatchMs: the inbox empty ends the watch; otherwise it tries the lease, which it gets
   * once the dead holder's lapses (leaseS), and drains the inbox itself. After two leases
   * without success the orphan sweep is left to it.
   */
  private watchParked(id: string): void {
    if (this.watched.has(id)) return;
    this.watched.add(id);
    const until = this.deps.clock() + 2 * this.config.leaseS * 1000;
    const look = async (): Promise<void> => {
      let done = false;
      try {
        done =
          (await this.deps.inbox.list(id)).length === 0 ||
          ["applied", "gone"].includes(await this.apply(id, []));
      } catch (e) {
        this.deps.telemetry.log("warn", `workflow ${id}: looking at parked events: ${String(e)}`);
      }
      if (done || this.deps.clock() >= until) this.watched.delete(id);
      else setTimeout(() => void look(), this.config.parkWatchMs).unref();
    };
    setTimeout(() => void look(), this.config.parkWatchMs).unref();
  }

  /**
   * Lingering to releasing: drains the inbox, refreshes the index and lets the lease go.
   * Sessions in any other mode are left alone (flush calls this on all).
   */
  private async release(s: WorkflowSession): Promise<void> {
    if (s.mode !== "lingering") return;
    s.enter("releasing");
    try {
      if ((await this.deps.inbox.list(s.id)).length > 0) {
        s.inboxDue = true;
        return this.run(s);
      }
      if (s.loaded) await this.cycle.maybeIndex(s, s.loaded.run, this.deps.clock(), true);
      await s.lease.release();
    } catch (e) {
      s.lease.forget();
      this.deps.telemetry.log("warn", `workflow ${s.id}: releasing the lease failed: ${String(e)}`);
    }
    s.loaded = null;
    if (s.queue.length > 0) return this.run(s);
    // Events parked after that look, while we still held the lease, are the parker's to apply:
    // its second try at the lease failed, so it watches them (watchParked).
    this.drop(s);
  }
}
