import { startAzurite } from "../src/azure/azurite.js";
import { connectStorage } from "../src/azure/connect.js";
import { createEngine, type Engine, provision } from "../src/engine/context.js";
import { ingestCompletionMessage } from "../src/engine/ingest.js";
import { submitWorkflow } from "../src/engine/submit.js";
import { readHostJson } from "../src/host/hostJson.js";
import { QueueTrigger } from "../src/host/queueTrigger.js";
import { memoryStorage } from "../src/memory/memoryStorage.js";
import { StatsTelemetry } from "../src/observability/telemetry.js";
import { type Completion, TaskMessageSchema } from "../src/protocol/messages.js";
import { unpackTexts } from "../src/protocol/taskPack.js";
import type { QueueStore, Storage } from "../src/storage/ports.js";
import { toWorkerEntity } from "../src/storage/workerRecord.js";
import { atLeast, type Figure, formatNumber } from "./figure.js";

/** Counts applied events and remembers when the last were applied. */
class Timing extends StatsTelemetry {
  last = 0;
  override count(name: string, n = 1): void {
    super.count(name, n);
    if (name === "events.applied" && n > 0) this.last = performance.now();
  }
}

function fanOut(leaves: number) {
  const names = Array.from({ length: leaves }, (_, i) => `leaf/${i}`);
  return {
    name: `fan-${leaves}`,
    tasks: [
      { name: "root", command: "x" },
      ...names.map((name) => ({ name, command: "x", depends_on: ["root"] })),
      { name: "join", command: "x", depends_on: names },
    ],
  };
}

const done = (workflow_id: string, task: string): Completion => ({
  kind: "completed",
  workflow_id,
  task,
  attempt: 1,
  output: { ok: true },
});

async function parallel<T>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** Sends `n` messages 32 at a time into an empty queue, then empties it again. */
async function azuriteSendRate(queues: QueueStore, n: number): Promise<number> {
  const q = "bench-sends";
  await queues.ensure(q);
  const t0 = performance.now();
  await parallel(
    Array.from({ length: n }, (_, i) => i),
    32,
    (i) => queues.send(q, JSON.stringify({ i })),
  );
  const rate = n / ((performance.now() - t0) / 1000);
  await queues.clear(q);
  return rate;
}

/** One process receiving (32 at a time) and deleting until a queue of `depth` messages is empty. */
async function azuriteRate(queues: QueueStore, depth: number): Promise<number> {
  const q = "bench-baseline";
  await queues.ensure(q);
  await parallel(
    Array.from({ length: depth }, (_, i) => i),
    32,
    (i) => queues.send(q, JSON.stringify({ v: 1, completions: [done("baseline-1", `leaf/${i}`)] })),
  );
  const t0 = performance.now();
  let seen = 0;
  while (seen < depth) {
    const got = await queues.receive(q, 32, 30);
    await Promise.all(got.map((m) => queues.delete(q, m)));
    seen += got.length;
  }
  return depth / ((performance.now() - t0) / 1000);
}

const SIMULATED_WORKERS = 4;
const SIMULATED_SLOTS = 32;

async function registerSimulatedWorkers(engine: Engine): Promise<void> {
  const now = Date.now();
  for (let k = 0; k < SIMULATED_WORKERS; k++) {
    await engine.storage.tables.upsert(
      engine.names.workersTable,
      toWorkerEntity({
        id: `simulated-${k}`,
        host: "bench",
        pid: process.pid,
        queues: ["default"],
        concurrency: SIMULATED_SLOTS,
        running: 0,
        version: "bench",
        startedAt: now,
        lastSeen: now,
        heartbeatS: 3600,
        stoppedAt: 0,
      }),
    );
  }
}

async function benchEngine(
  storage: Storage,
  prefix: string,
  maxInFlight: number,
  maxPackTasks = 1,
): Promise<Engine & { timing: Timing }> {
  const timing = new Timing();
  const engine = createEngine(storage, {
    prefix,
    telemetry: timing,
    coordinator: { maxInFlight },
    maxPackTasks,
  });
  await provision(engine);
  return Object.assign(engine, { timing });
}

interface IngestResult {
  /** Completions applied per second: all of them, or (capped) those applied by the cap. */
  readonly perSecond: number;
  readonly bytesPerBatch: number;
  readonly batches: number;
  readonly applied: number;
  readonly capped: boolean;
  /** The longest time with no completion applied (the emulator's queue GC stalls everything). */
  readonly longestPauseS: number;
}

/**
 * Submits a fan-out of `leaves`, completes the root, and lets the local host's queue trigger
 * (host.json settings) ingest the leaves' completions, `perMessage` to a message: completions/s
 * from the trigger's start to the last applied (the first batch's own time counts: one batch
 * may hold them all). Only dispatched tasks can complete (the core refuses a
 * report for a task never dispatched), so either the window holds every leaf and their
 * completions are queued up front (`follow: false`: ingest alone), or simulated workers turn
 * each task message they take into a completion, sent when `perMessage` are pending or 50 ms
 * after the first (`follow: true`: every completion frees a window slot for a real dispatch).
 * Either way task messages are taken off the task queue as they appear, as real workers would:
 * Azurite slows down with every message held in any of its queues.
 */
async function ingestRun(
  storage: Storage,
  prefix: string,
  run: { leaves: number; perMessage: number; window: number; follow: boolean; capS: number },
  log: (line: string) => void,
  /** Called when the cap is reached, before waiting for what is in flight: stop the emulator. */
  onCap: () => Promise<void> = async () => {},
): Promise<IngestResult> {
  const { leaves, perMessage, follow } = run;
  // Following the dispatches, the simulated workers register as `dagq worker` does, with
  // SIMULATED_SLOTS slots each: the coordinator sends their tasks in packs that size (the
  // shipped DAGQ_PACK_TASKS allows it).
  const engine = await benchEngine(storage, prefix, run.window, follow ? SIMULATED_SLOTS : 1);
  if (follow) await registerSimulatedWorkers(engine);
  const tasks = engine.names.taskQueue("default");
  const completions = engine.names.completionQueue;
  let draining = true;
  let failure: Error | undefined;
  let capped = false;
  let pending: Completion[] = [];
  let linger: ReturnType<typeof setTimeout> | null = null;
  const sends = new Set<Promise<void>>();
  const flushPending = () => {
    if (linger) clearTimeout(linger);
    linger = null;
    if (pending.length === 0) return;
    const text = JSON.stringify({ v: 1, completions: pending });
    pending = [];
    const sent = storage.queues.send(completions, text).catch((e: unknown) => {
      failure ??= e as Error;
    });
    sends.add(sent);
    void sent.finally(() => sends.delete(sent));
  };
  // Four simulated workers, so that taking tasks is not what limits the run.
  const drainers = Array.from({ length: follow ? 4 : 1 }, async () => {
    while (draining) {
      const got = await storage.queues.receive(tasks, 32, 300);
      if (follow) {
        for (const m of got) {
          for (const text of unpackTexts(m.text)) {
            const t = TaskMessageSchema.parse(JSON.parse(text));
            pending.push(done(t.workflow_id, t.task));
            if (pending.length >= perMessage) flushPending();
          }
        }
        if (pending.length > 0) linger ??= setTimeout(flushPending, 50);
      }
      await Promise.all(got.map((m) => storage.queues.delete(tasks, m)));
      if (got.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
  });
  // A failed request (the emulator answers 408 when it stalls) fails the run, not the process.
  const drained = Promise.all(drainers)
    .then(async () => {
      flushPending();
      await Promise.all([...sends]);
    })
    .catch((e: unknown) => {
      failure ??= e as Error;
    });
  const { id } = await submitWorkflow(engine, fanOut(leaves));
  if (!follow) {
    await ingestCompletionMessage(
      engine,
      JSON.stringify({ v: 1, completions: [done(id, "root")] }),
    );
    await engine.coordinator.flush();
    while ((await storage.queues.depth(tasks)) > 0) await new Promise((r) => setTimeout(r, 20));
    const messages: string[] = [];
    for (let i = 0; i < leaves; i += perMessage) {
      const chunk = Array.from({ length: Math.min(perMessage, leaves - i) }, (_, k) =>
        done(id, `leaf/${i + k}`),
      );
      messages.push(JSON.stringify({ v: 1, completions: chunk }));
    }
    await parallel(messages, 32, (m) => storage.queues.send(completions, m));
  }
  const settings = await readHostJson("host.json");
  const startBytes = engine.timing.observations.get("flush.bytes");
  const before = {
    applied: engine.timing.counter("events.applied"),
    bytes: { n: startBytes?.n ?? 0, sum: startBytes?.sum ?? 0 },
  };
  const trigger = new QueueTrigger({
    name: "completionIngest",
    queue: engine.names.completionQueue,
    queues: storage.queues,
    settings: settings.queues,
    functionTimeoutMs: settings.functionTimeoutMs,
    handler: async (msg) => void (await ingestCompletionMessage(engine, msg)),
    // The trigger's warnings (a failed message, a poisoned one) are what explains a stall.
    log: (level, line) => {
      // Once capped, the emulator is stopped under it: what fails then is expected.
      if (!capped && (level === "warn" || level === "error")) log(`  ${prefix}: ${level}: ${line}`);
    },
  });
  const t0 = performance.now();
  trigger.start();
  // Following the dispatches, the root's completion is applied too (by the trigger): count it.
  const target = before.applied + leaves + (follow ? 1 : 0);
  const appliedNow = () => engine.timing.counter("events.applied") - before.applied;
  // Only local counters here: a stalled emulator must not stall the cap.
  let lastProgress = { at: t0, applied: 0 };
  let longestPauseMs = 0;
  let reported = t0;
  try {
    while (engine.timing.counter("events.applied") < target) {
      if (failure) throw failure;
      const now = performance.now();
      const applied = appliedNow();
      if (applied > lastProgress.applied) lastProgress = { at: now, applied };
      longestPauseMs = Math.max(longestPauseMs, now - lastProgress.at);
      if (now - t0 > run.capS * 1000) {
        capped = true;
        log(`  ${prefix}: capped at ${run.capS} s with ${applied} of ${leaves} applied`);
        break;
      }
      if (now - reported > 20_000) {
        reported = now;
        log(
          `  ${prefix}: ${applied} of ${leaves} applied after ${Math.round((now - t0) / 1000)} s`,
        );
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    if (capped) await onCap();
    draining = false;
    // After a cap the emulator is gone: what was in flight fails, and is not waited for long.
    const settled = Promise.all([trigger.stop(), drained]).catch(() => {});
    await (capped ? Promise.race([settled, new Promise((r) => setTimeout(r, 5000))]) : settled);
  }
  const elapsedMs = performance.now() - t0;
  if (capped) {
    const applied = Math.min(appliedNow(), leaves);
    return {
      perSecond: applied / (elapsedMs / 1000),
      bytesPerBatch: Number.NaN,
      batches: Number.NaN,
      applied,
      capped: true,
      longestPauseS: longestPauseMs / 1000,
    };
  }
  if (failure) throw failure;
  await engine.coordinator.flush();
  const flush = engine.timing.observations.get("flush.bytes")!;
  const batches = flush.n - before.bytes.n;
  const bytes = flush.sum - before.bytes.sum;
  if (process.env.BENCH_DEBUG)
    console.error(
      prefix,
      Object.fromEntries(engine.timing.counters),
      Object.fromEntries(engine.timing.observations),
    );
  return {
    perSecond: leaves / ((engine.timing.last - t0) / 1000),
    bytesPerBatch: bytes / batches,
    batches,
    applied: leaves,
    capped: false,
    longestPauseS: longestPauseMs / 1000,
  };
}

/** Bytes appended per batch of 100 completions, on the in-memory storage (the bytes are the same). */
async function bytesPerBatch(leaves: number): Promise<number> {
  const storage = memoryStorage();
  const engine = await benchEngine(storage, "bytes", 1000);
  const { id } = await submitWorkflow(engine, fanOut(leaves));
  await ingestCompletionMessage(engine, JSON.stringify({ v: 1, completions: [done(id, "root")] }));
  await engine.coordinator.flush();
  const start = engine.timing.observations.get("flush.bytes")!;
  const [n0, s0] = [start.n, start.sum];
  for (let i = 0; i < leaves; i += 100) {
    const chunk = Array.from({ length: Math.min(100, leaves - i) }, (_, k) =>
      done(id, `leaf/${i + k}`),
    );
    await ingestCompletionMessage(engine, JSON.stringify({ v: 1, completions: chunk }));
  }
  await engine.coordinator.flush();
  const end = engine.timing.observations.get("flush.bytes")!;
  return (end.sum - s0) / (end.n - n0);
}

export interface IngestSizes {
  /** Leaves of the seed shape (one completion per message) and the emulator's baseline depth. */
  readonly seedLeaves: number;
  /** Leaves of the wide fan-out (100 completions per message). */
  readonly wideLeaves: number;
  /** Workflow sizes for the bytes per batch (in-memory storage). */
  readonly byteSizes: readonly number[];
  /** Messages for the emulator's send rate. */
  readonly sends: number;
  /** The run with real dispatch stops here (the rate is then of what was applied by then). */
  readonly capS: number;
}

export const FULL_INGEST: IngestSizes = {
  seedLeaves: 998,
  wideLeaves: 16_000,
  byteSizes: [1_000, 16_000, 100_000],
  sends: 2000,
  capS: 150,
};

export const QUICK_INGEST: IngestSizes = {
  seedLeaves: 198,
  wideLeaves: 1_000,
  byteSizes: [1_000, 16_000],
  sends: 500,
  capS: 30,
};

export async function runServerlessBench(
  log: (line: string) => void,
  sizes: IngestSizes = FULL_INGEST,
): Promise<Figure[]> {
  const figures: Figure[] = [];
  const { seedLeaves, wideLeaves } = sizes;
  const wideK = `${wideLeaves / 1000}k`;
  const azurite = await startAzurite();
  try {
    const storage = connectStorage({
      connectionString: azurite.connectionString,
      container: "seed-workflows",
    });
    const baseline = await azuriteRate(storage.queues, seedLeaves + 2);
    log("serverless: azurite baseline done");
    const seed = await ingestRun(
      storage,
      "seed",
      {
        leaves: seedLeaves,
        perMessage: 1,
        window: 1000,
        follow: false,
        capS: 15 * 60,
      },
      log,
    );
    if (seed.capped) throw new Error("seed shape: not done after 15 minutes");
    log("serverless: seed shape done");
    // Task messages go to a sink that drops them, all dispatched at once (a window as wide as
    // the fan-out): this run measures ingest (state in Azurite blobs, completions through an
    // Azurite queue). Dispatching 16,000 messages into Azurite alone takes longer than ingesting
    // their completions; the run that does is reported beside it.
    const wide = connectStorage({
      connectionString: azurite.connectionString,
      container: "wide-workflows",
    });
    const batched = await ingestRun(
      { ...wide, tasks: { send: async () => {} } },
      "wide",
      {
        leaves: wideLeaves,
        perMessage: 100,
        window: wideLeaves,
        follow: false,
        capS: 15 * 60,
      },
      log,
    );
    if (batched.capped) throw new Error(`${wideK} batched: not done after 15 minutes`);
    log(`serverless: ${wideK} batched done`);
    // An emulator of its own, started right before: this run deletes some 16,000 messages a
    // minute, and Azurite's queue GC (every 60 s) then removes their extents one index rebuild
    // at a time, stalling every request for minutes (profiled: lokijs ensureIndex under
    // MemoryExtentStore.deleteExtents). The cap bounds the run; the longest pause shows a stall.
    const own = await startAzurite();
    let withDispatch: IngestResult;
    try {
      withDispatch = await ingestRun(
        connectStorage({ connectionString: own.connectionString, container: "full-workflows" }),
        "full",
        { leaves: wideLeaves, perMessage: 100, window: 1000, follow: true, capS: sizes.capS },
        log,
        () => own.stop(),
      );
    } finally {
      await own.stop();
    }
    log(`serverless: ${wideK} batched with dispatch done`);
    const sendRate = await azuriteSendRate(storage.queues, sizes.sends);
    const seedName = `seed shape (${(seedLeaves + 2).toLocaleString("en-US")}-task fan-out/in, 1 completion/msg)`;
    figures.push(
      {
        metric: "ingest.azurite_receive_delete_per_s",
        name: `azurite: receive+delete, one queue, depth ${seedLeaves + 2}`,
        value: baseline,
        unit: "msg/s",
      },
      {
        metric: "ingest.seed_per_s",
        name: seedName,
        value: seed.perSecond,
        unit: "/s",
        target: "seed 81.9/s",
        limit: `emulator receive+delete ${formatNumber(baseline)} msg/s`,
      },
      {
        metric: "ingest.seed_vs_azurite",
        name: "seed shape / azurite rate",
        value: seed.perSecond / baseline,
        unit: "ratio",
        target: atLeast(0.7),
      },
      {
        metric: "ingest.seed_completions_per_append",
        name: "seed shape: completions per journal append",
        value: seedLeaves / seed.batches,
        unit: "",
      },
      {
        metric: "ingest.batched_per_s",
        name: `${wideK} fan-out, 100 completions/msg (dispatch not sent)`,
        value: batched.perSecond,
        unit: "/s",
        target: atLeast(3000),
      },
      {
        metric: "ingest.batched_completions_per_append",
        name: `${wideK} fan-out: completions per journal append`,
        value: wideLeaves / batched.batches,
        unit: "",
      },
      {
        metric: "ingest.batched_dispatch_per_s",
        name: `${wideK} fan-out, window 1,000: simulated workers complete each dispatch, 100/msg${withDispatch.capped ? ` (capped at ${sizes.capS} s: ${withDispatch.applied.toLocaleString("en-US")} applied)` : ""}`,
        value: withDispatch.perSecond,
        unit: "/s",
        target: atLeast(3000),
        limit: `emulator sends ${formatNumber(sendRate)} msg/s (32 at a time)`,
        detail: [
          `longest time with no completion applied: ${withDispatch.longestPauseS.toFixed(1)} s (the emulator's queue GC stalls every request while it deletes extents)`,
          `per task: the coordinator sends it in a pack of up to ${SIMULATED_SLOTS} (${SIMULATED_WORKERS} simulated workers registered with ${SIMULATED_SLOTS} slots each); a simulated worker receives packs (32 at a time) and deletes them; 100 completions go in one message`,
        ],
      },
      {
        metric: "ingest.azurite_sends_per_s",
        name: "azurite: sends, 32 in parallel, one queue",
        value: sendRate,
        unit: "msg/s",
      },
      {
        metric: "ingest.batched_bytes_per_append",
        name: `${wideK} fan-out: bytes appended per batch (Azurite)`,
        value: batched.bytesPerBatch,
        unit: "B",
      },
    );
  } finally {
    await azurite.stop();
  }
  for (const tasks of sizes.byteSizes) {
    const value = await bytesPerBatch(tasks - 2); // root + leaves + join
    figures.push({
      metric: `ingest.bytes_per_batch_of_100.${tasks / 1000}k`,
      name: `bytes appended per batch of 100, ${tasks.toLocaleString("en-US")}-task workflow`,
      value,
      unit: "B",
      target: "flat",
    });
    log(`serverless: bytes per batch at ${tasks} done`);
  }

  return figures;
}
