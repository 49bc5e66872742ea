import { randomBytes } from "node:crypto";
import { silentTelemetry, type Telemetry } from "../observability/telemetry.js";
import { sendToPoison } from "../protocol/poison.js";
import { type Layout, layout } from "../storage/layout.js";
import type { Storage } from "../storage/ports.js";
import { serviceBusHost } from "../storage/serviceBusTarget.js";
import type { Reduce } from "./batch.js";
import { Coordinator, type CoordinatorConfig, DEFAULT_COORDINATOR_CONFIG } from "./coordinator.js";
import { Dispatcher } from "./dispatcher.js";
import { Inbox } from "./inbox.js";
import { OutputFetcher } from "./outputFetcher.js";
import { QueueBudget } from "./queueBudget.js";
import { StateStore } from "./stateStore.js";
import { liveCapacityByQueue } from "./workers.js";
import { WorkflowIndex } from "./workflowIndex.js";

export interface EngineOptions {
  readonly prefix: string;
  readonly maxRunningWorkflows?: number;
  /** Per storage task queue: no dispatch into a queue this deep; 0 turns the cap off. */
  readonly maxQueueDepth?: number;
  /** The most tasks one task message holds (DAGQ_PACK_TASKS); 1: no packs. */
  readonly maxPackTasks?: number;
  readonly sweepConcurrency?: number;
  readonly coordinator?: Partial<CoordinatorConfig>;
  readonly clock?: () => number;
  readonly telemetry?: Telemetry;
  /** Service Bus namespaces tasks may use (host names); others are refused at submit. */
  readonly serviceBusNamespaces?: readonly string[];
  /** The reducer; only tests put a faulty one in its place (to prove one bad report is isolated). */
  readonly reduce?: Reduce;
  /** When the journal is folded into a new snapshot (tests use tiny values). */
  readonly compactAfter?: { readonly bytes: number; readonly frames: number };
}

/** Everything a use case needs, built once per process from the storage and the settings. */
export interface Engine {
  readonly storage: Storage;
  readonly names: Layout;
  readonly state: StateStore;
  readonly index: WorkflowIndex;
  readonly inbox: Inbox;
  readonly dispatcher: Dispatcher;
  readonly coordinator: Coordinator;
  readonly config: CoordinatorConfig & {
    readonly maxRunningWorkflows: number;
    readonly sweepConcurrency: number;
    readonly serviceBusNamespaces: ReadonlySet<string>;
  };
  readonly clock: () => number;
  readonly telemetry: Telemetry;
  /** Last index-row timestamp each sweep saw per workflow: unchanged rows are skipped. */
  readonly sweepSeen: Map<string, number>;
}

export function createEngine(storage: Storage, opts: EngineOptions): Engine {
  const names = layout(opts.prefix);
  const clock = opts.clock ?? Date.now;
  const telemetry = opts.telemetry ?? silentTelemetry;
  const state = new StateStore(storage.blobs, names, opts.compactAfter);
  const index = new WorkflowIndex(storage.tables, names.indexTable);
  const inbox = new Inbox(storage.tables, names.inboxTable);
  const config = {
    ...DEFAULT_COORDINATOR_CONFIG,
    ...opts.coordinator,
    maxRunningWorkflows: opts.maxRunningWorkflows ?? 0,
    sweepConcurrency: opts.sweepConcurrency ?? 4,
    serviceBusNamespaces: new Set((opts.serviceBusNamespaces ?? []).map(serviceBusHost)),
  };
  const budget = new QueueBudget(
    storage.queues,
    names,
    opts.maxQueueDepth ?? 0,
    clock,
    () => liveCapacityByQueue(storage.tables, names.workersTable, clock()),
    opts.maxPackTasks ?? 1,
  );
  const dispatcher = new Dispatcher(storage, names, (queue) => budget.packSize(queue));
  const coordinator = new Coordinator(
    {
      state,
      inbox,
      index,
      dispatcher,
      outputs: new OutputFetcher(storage.blobs, (why) => telemetry.log("warn", why)),
      budget,
      telemetry,
      clock,
      poison: async (event, reason) => {
        await sendToPoison(
          storage.queues,
          { sourceQueue: names.completionQueue, message: JSON.stringify(event), reason },
          clock(),
        );
      },
      ...(opts.reduce ? { reduce: opts.reduce } : {}),
    },
    config,
  );
  budget.wake = (id) => {
    coordinator.apply(id, []).catch((e: unknown) => {
      telemetry.log("warn", `workflow ${id}: a cycle for freed queue room failed: ${String(e)}`);
    });
  };
  return {
    storage,
    names,
    state,
    index,
    inbox,
    dispatcher,
    coordinator,
    config,
    clock,
    telemetry,
    sweepSeen: new Map(),
  };
}

/** Creates the deployment's container, tables and queues if they do not exist (idempotent). */
export async function provision(engine: Engine): Promise<void> {
  const { storage, names } = engine;
  await Promise.all([
    storage.blobs.ensure(),
    storage.tables.ensure(names.indexTable),
    storage.tables.ensure(names.inboxTable),
    storage.tables.ensure(names.workersTable),
    storage.queues.ensure(names.completionQueue),
    storage.queues.ensure(names.poisonQueue(names.completionQueue)),
    storage.queues.ensure(names.controlQueue),
    storage.queues.ensure(names.taskQueue("default")),
  ]);
}

/** Sortable by creation time, unique without coordination, valid in blob paths and table keys. */
export function newWorkflowId(now: number): string {
  return `${now.toString(36)}-${randomBytes(5).toString("hex")}`;
}
