import type { RunState } from "../core/index.js";
import type { CoordinatorConfig, Outcome, SweepFn } from "./coordinatorConfig.js";
import type { InboxEvent } from "./inbox.js";
import type { LoadedState } from "./stateStore.js";
import type { WorkflowLease } from "./workflowLease.js";

/**
 * One workflow's session in one coordinator instance. It exists while the instance has work for
 * the workflow or holds its lease, and is in exactly one mode:
 *
 * | mode      | what it is doing                                  | left for                                  |
 * |-----------|---------------------------------------------------|-------------------------------------------|
 * | idle      | nothing: created by `apply`, or done and dropped  | running (`apply` queued work)             |
 * | running   | cycles: one load-apply-dispatch-write per batch   | lingering (queue empty, lease held);      |
 * |           | of queued work, with or without the lease (a      | idle (queue empty, no lease: it parked    |
 * |           | session that parks events never holds it)         | its events, or the workflow is gone)      |
 * | lingering | holds the lease with nothing to do, for lingerMs  | running (`apply` queued work, or parked   |
 * |           | (activeLingerMs while tasks are in flight), so    | events found for it); releasing (the      |
 * |           | that the next events need no lease round trip     | linger timer, or flush)                   |
 * | releasing | a last inbox look, an index refresh, then lets    | running (parked events found, or work     |
 * |           | the lease go; work that arrives meanwhile waits   | queued meanwhile); idle (released)        |
 *
 * Work queued in any mode is applied: running takes it in its next cycle, lingering and idle
 * start running, releasing starts running when it is done. A transition outside this table is
 * a bug and throws, as does lingering without the lease or going idle with it.
 */
export const SESSION_MODES = ["idle", "running", "lingering", "releasing"] as const;
export type SessionMode = (typeof SESSION_MODES)[number];

export const SESSION_TRANSITIONS: Readonly<Record<SessionMode, readonly SessionMode[]>> = {
  idle: ["running"],
  running: ["lingering", "idle"],
  lingering: ["running", "releasing"],
  releasing: ["running", "idle"],
};

/**
 * How long a session with nothing to do keeps the lease: longer while the workflow has tasks in
 * flight (their reports are due), but at most a third of the lease, so that the cycle a report
 * brings renews the lease before it lapses.
 */
export function lingerFor(
  run: Pick<RunState, "inFlight" | "wf"> | undefined,
  config: Pick<CoordinatorConfig, "lingerMs" | "activeLingerMs" | "leaseS">,
): number {
  if (!run || run.inFlight === 0 || run.wf.status !== "running") return config.lingerMs;
  return Math.max(config.lingerMs, Math.min(config.activeLingerMs, (config.leaseS * 1000) / 3));
}

/** Events (and a sweep) waiting for the session's next cycle, with the caller's promise. */
export interface Work {
  readonly events: readonly InboxEvent[];
  readonly sweep?: SweepFn;
  readonly resolve: (o: Outcome) => void;
  readonly reject: (e: unknown) => void;
}

export class WorkflowSession {
  private current: SessionMode = "idle";
  private lingerTimer: ReturnType<typeof setTimeout> | null = null;
  /** Work not yet taken by a cycle. */
  readonly queue: Work[] = [];
  /** The state as of our last write; null when it must be (re)loaded. */
  loaded: LoadedState | null = null;
  /**
   * The state this instance wrote when it created the workflow, for the cycle that takes the
   * lease first: nobody else can have written or parked anything yet, so nothing is read back.
   */
  created: LoadedState | null = null;
  /** Drain the inbox in the next cycle: the lease was just acquired, or parked events wait. */
  inboxDue = false;
  /** The index row: when it was written, with which status, and whether the state moved since. */
  readonly index = { at: 0, status: null as string | null, dirty: false };

  constructor(
    readonly id: string,
    readonly lease: WorkflowLease,
  ) {}

  get mode(): SessionMode {
    return this.current;
  }

  enter(next: SessionMode): void {
    if (!SESSION_TRANSITIONS[this.current].includes(next))
      throw new Error(`workflow ${this.id}: session cannot go from ${this.current} to ${next}`);
    if (next === "idle" && this.lease.held)
      throw new Error(`workflow ${this.id}: session cannot go idle holding the lease`);
    if (next === "lingering" && !this.lease.held)
      throw new Error(`workflow ${this.id}: session cannot linger without the lease`);
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    this.current = next;
  }

  /** Enters lingering; `expire` runs after `ms` unless the session leaves lingering first. */
  linger(ms: number, expire: () => void): void {
    this.enter("lingering");
    this.lingerTimer = setTimeout(expire, ms);
  }
}
