import { connectStorage } from "../../src/azure/connect.js";
import type { Reduce } from "../../src/engine/batch.js";
import { createEngine, type Engine, provision } from "../../src/engine/context.js";
import type { CoordinatorConfig } from "../../src/engine/coordinator.js";
import { ingestCompletionMessage } from "../../src/engine/ingest.js";
import { memoryStorage } from "../../src/memory/memoryStorage.js";
import { StatsTelemetry } from "../../src/observability/telemetry.js";
import {
  type Completion,
  type TaskMessage,
  TaskMessageSchema,
} from "../../src/protocol/messages.js";
import { unpackTexts } from "../../src/protocol/taskPack.js";
import type { Storage } from "../../src/storage/ports.js";
import { toWorkerEntity, type WorkerRecord } from "../../src/storage/workerRecord.js";
import { azuriteConnectionString } from "../support/azurite.js";

export type Behaviour = (msg: TaskMessage) => { ok: boolean; output?: unknown; error?: string };

/** Task outputs that depend only on name and attempt, so any delivery order gives one result. */
export const succeedAll: Behaviour = (m) => ({
  ok: true,
  output: { task: m.task, attempt: m.attempt, ok: true },
});

export async function engineOn(
  storage: Storage,
  opts: {
    prefix?: string;
    coordinator?: Partial<CoordinatorConfig>;
    maxRunningWorkflows?: number;
    maxQueueDepth?: number;
    maxPackTasks?: number;
    clock?: () => number;
    compactAfter?: { bytes: number; frames: number };
    reduce?: Reduce;
  } = {},
): Promise<Engine & { stats: StatsTelemetry }> {
  const stats = new StatsTelemetry();
  const engine = createEngine(storage, {
    prefix: opts.prefix ?? "t",
    coordinator: { lingerMs: 5, inboxPollMs: 0, ...opts.coordinator },
    maxRunningWorkflows: opts.maxRunningWorkflows ?? 0,
    maxQueueDepth: opts.maxQueueDepth ?? 0,
    maxPackTasks: opts.maxPackTasks ?? 1,

    telemetry: stats,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.compactAfter ? { compactAfter: opts.compactAfter } : {}),
    ...(opts.reduce ? { reduce: opts.reduce } : {}),
  });
  await provision(engine);
  return Object.assign(engine, { stats });
}

export async function memoryEngine(opts: Parameters<typeof engineOn>[1] = {}) {
  const storage = memoryStorage(opts.clock);
  return { storage, engine: await engineOn(storage, opts) };
}

/** The storages every engine test runs on: the in-memory twin, and Azurite. */
export const BACKENDS = ["memory", "azurite"] as const;
export type Backend = (typeof BACKENDS)[number];

/** A fresh, isolated storage: Azurite tests get a deployment prefix of their own. */
export function storageFor(backend: Backend): { storage: Storage; prefix: string } {
  if (backend === "memory") return { storage: memoryStorage(), prefix: "t" };
  const prefix = `t${Math.random().toString(36).slice(2, 10)}`;
  return {
    storage: connectStorage({
      connectionString: azuriteConnectionString(),
      container: `${prefix}-workflows`,
    }),
    prefix,
  };
}

export async function engineFor(backend: Backend, opts: Parameters<typeof engineOn>[1] = {}) {
  const { storage, prefix } = storageFor(backend);
  return { storage, engine: await engineOn(storage, { prefix, ...opts }) };
}

/**
 * Receives task messages from a queue (plain, or packs of several) and turns each task into
 * started + completed/failed reports.
 */
export async function takeTasks(
  engine: Engine,
  behaviour: Behaviour,
  queue = "default",
  max = 32,
): Promise<Completion[][]> {
  const q = engine.names.taskQueue(queue);
  const msgs = await engine.storage.queues.receive(q, max, 60);
  const out: Completion[][] = [];
  for (const m of msgs) {
    for (const text of unpackTexts(m.text))
      out.push(reportsFor(TaskMessageSchema.parse(JSON.parse(text)), behaviour));
    await engine.storage.queues.delete(q, m);
  }
  return out;
}

/** What a worker reports for `task` under `behaviour`: started, then completed or failed. */
export function reportsFor(task: TaskMessage, behaviour: Behaviour): Completion[] {
  const r = behaviour(task);
  const base = { workflow_id: task.workflow_id, task: task.task, attempt: task.attempt };
  return [
    { kind: "started", ...base },
    r.ok
      ? {
          kind: "completed",
          ...base,
          ...(r.output !== undefined ? { output: r.output as never } : {}),
        }
      : { kind: "failed", ...base, error: r.error ?? "failed" },
  ];
}

export function message(completions: readonly Completion[]): string {
  return JSON.stringify({ v: 1, completions });
}

/**
 * Plays workers until no task message is left: each report travels as its own message to an
 * engine picked by `route` (several engines = several Function instances on one storage).
 */
export async function runToEnd(
  engines: Engine[],
  behaviour: Behaviour,
  route: (k: number) => number = () => 0,
  queue = "default",
): Promise<number> {
  let k = 0;
  for (let rounds = 0; rounds < 10_000; rounds++) {
    const reports = await takeTasks(engines[0]!, behaviour, queue);
    if (reports.length === 0) {
      await settle(engines);
      if ((await engines[0]!.storage.queues.depth(engines[0]!.names.taskQueue(queue))) === 0)
        return k;
      continue;
    }
    await Promise.all(
      reports.flat().map((c) => ingestCompletionMessage(engines[route(k++)]!, message([c]))),
    );
  }
  throw new Error("workers never ran out of tasks");
}

/** Lets every engine drain its inboxes and release its leases. */
export async function settle(engines: Engine[]): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await Promise.all(engines.map((e) => e.coordinator.flush()));
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A worker's row in the workers table, live by default (4 slots on `default`). */
export async function registerWorker(engine: Engine, id: string, over: Partial<WorkerRecord> = {}) {
  const now = engine.clock();
  await engine.storage.tables.upsert(
    engine.names.workersTable,
    toWorkerEntity({
      id,
      host: "h",
      pid: 1,
      queues: ["default"],
      concurrency: 4,
      running: 0,
      version: "test",
      startedAt: now,
      lastSeen: now,
      heartbeatS: 10,
      stoppedAt: 0,
      ...over,
    }),
  );
}
