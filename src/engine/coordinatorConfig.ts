import type { Event, RunState } from "../core/index.js";
import type { Telemetry } from "../observability/telemetry.js";
import type { Reduce } from "./batch.js";
import type { Dispatcher } from "./dispatcher.js";
import type { Inbox } from "./inbox.js";
import type { OutputFetcher } from "./outputFetcher.js";
import type { QueueBudget } from "./queueBudget.js";
import type { StateStore } from "./stateStore.js";
import type { WorkflowIndex } from "./workflowIndex.js";

export interface CoordinatorConfig {
  /** Lease on a workflow's head blob, seconds (Azure allows 15–60). */
  readonly leaseS: number;
  /** Flow control: tasks dispatched and not yet finished, per workflow. */
  readonly maxInFlight: number;
  /** Ready-repair age for dispatched tasks that no worker started. */
  readonly repairAfterMs: number;
  /** How long a session with nothing to do keeps its lease, waiting for more work. */
  readonly lingerMs: number;
  /**
   * The same, while the workflow has tasks in flight: their reports are on their way, and a
   * lease let go between them costs a release, an acquire, a reload and two inbox looks per hop.
   * At most a third of the lease, so that a cycle within it renews the lease before it lapses.
   */
  readonly activeLingerMs: number;
  /** How often an instance holding leases looks into the inbox table for events parked for them. */
  readonly inboxPollMs: number;
  /** How often a busy workflow's index row is refreshed (status changes write at once). */
  readonly indexEveryMs: number;
  /** How often an instance that parked events looks whether they were drained (see Coordinator). */
  readonly parkWatchMs: number;
}

export const DEFAULT_COORDINATOR_CONFIG: CoordinatorConfig = {
  leaseS: 15,
  maxInFlight: 1000,
  repairAfterMs: 10 * 60_000,
  lingerMs: 250,
  activeLingerMs: 5000,
  inboxPollMs: 500,
  indexEveryMs: 2000,
  parkWatchMs: 2000,
};

/** What a sweep asks of a workflow it visits, under the workflow's lease. */
export interface SweepRequest {
  /** Events to apply, e.g. failures of attempts past their timeout. */
  readonly events: readonly Event[];
  /** Ready-repair: re-dispatch stale dispatched tasks of these queues (definition names). */
  readonly repairableQueues?: ReadonlySet<string>;
  /** Decide pending tasks whose parents already decide them (orphan repair). */
  readonly reconcile?: boolean;
}
export type SweepFn = (run: RunState, now: number) => SweepRequest;

/**
 * How a call of Coordinator.apply ended: applied under our lease, parked in the inbox, the
 * workflow is gone, or (with nothing to apply) busy: another instance holds the lease.
 */
export type Outcome = "applied" | "parked" | "gone" | "busy";

/** What the coordinator works with, built once per engine (context.ts). */
export interface CoordinatorDeps {
  readonly state: StateStore;
  readonly inbox: Inbox;
  readonly index: WorkflowIndex;
  readonly dispatcher: Dispatcher;
  readonly outputs: OutputFetcher;
  readonly budget: QueueBudget;
  readonly telemetry: Telemetry;
  readonly clock: () => number;
  /** Where a report the reducer cannot apply goes, alone, with the reason. */
  readonly poison: (event: unknown, reason: string) => Promise<void>;
  /** The reducer; only tests put another in its place. */
  readonly reduce?: Reduce;
}
