/**
 * The end-to-end fan-outs, submits and many small workflows again, with a storage that costs
 * nothing: the in-memory adapter (the
 * same semantics as Azure's, checked by the storage contract suites), in one process. The
 * coordinator with its shipped settings, a completion consumer like the queue trigger (batches
 * of 32), and 4 real workers × 4 slots spawning `true`. What is left is dagq's own cost plus the
 * cost of starting a process per task, which is what a target of tasks/s measures when the
 * emulator is taken out of it.
 */
import { spawnSync } from "node:child_process";
import { cpuUsage } from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { ConfigSchema } from "../src/config.js";
import { createEngine, type Engine, provision } from "../src/engine/context.js";
import { ingestCompletionMessage } from "../src/engine/ingest.js";
import { getStatus } from "../src/engine/queries.js";
import { submitWorkflow } from "../src/engine/submit.js";
import { engineOptions } from "../src/functions/runtime.js";
import { memoryStorage } from "../src/memory/memoryStorage.js";
import { silentTelemetry } from "../src/observability/telemetry.js";
import { startWorkerGroup } from "../src/worker/workerGroup.js";
import { atLeast, atMost, type Figure, formatNumber } from "./figure.js";
import { chainOf, fanOutOf } from "./workflowShapes.js";

const WORKERS = 4;
/** Settings to try instead of the shipped ones (experiments): DAGQ_X=value in the environment. */
const settingsOver = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => k.startsWith("DAGQ_")),
);
const SLOTS = 4;

/** Receives, ingests and deletes completion messages, 32 at a time, as the queue trigger does. */
function consume(engine: Engine): { stop(): Promise<void> } {
  let stopped = false;
  const queue = engine.names.completionQueue;
  const loop = (async () => {
    while (!stopped) {
      const msgs = await engine.storage.queues.receive(queue, 32, 30);
      await Promise.all(
        msgs.map(async (m) => {
          await ingestCompletionMessage(engine, m.text);
          await engine.storage.queues.delete(queue, m);
        }),
      );
      if (msgs.length === 0) await sleep(10);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** A Function App on in-memory storage: the engine, a completion consumer, registered workers. */
async function withSystem<T>(
  workers: number,
  fn: (engine: Engine) => Promise<T>,
): Promise<T & { cpuMs: number; seconds: number }> {
  const storage = memoryStorage();
  // The shipped settings: a Function App's defaults (flow control, packs).
  const settings = ConfigSchema.parse({ DAGQ_PREFIX: "bench", ...settingsOver });
  const engine = createEngine(storage, engineOptions(settings, silentTelemetry));
  await provision(engine);
  const consumer = consume(engine);
  // Registered, as `dagq worker` is: the coordinator sizes packs and queue windows by them.
  const group = await Promise.all(
    Array.from({ length: workers }, (_, i) =>
      startWorkerGroup({
        storage,
        prefix: "bench",
        queues: ["default"],
        concurrency: SLOTS,
        id: `w${i}`,
      }),
    ),
  );
  const cpu0 = cpuUsage();
  const t0 = performance.now();
  const out = await fn(engine);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuUsage(cpu0);
  await Promise.all(group.map((w) => w.stop()));
  await consumer.stop();
  await engine.coordinator.flush();
  return { ...out, seconds, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function finished(engine: Engine, id: string): Promise<void> {
  for (;;) {
    const s = await getStatus(engine, id);
    if (s && s.status !== "running" && s.status !== "pending") {
      if (s.status !== "completed") throw new Error(`workflow ${id}: ${s.status}`);
      return;
    }
    await sleep(20);
  }
}

/** `clients` callers submitting 3-task workflows until `n` are in. */
async function submitMany(engine: Engine, n: number, clients = 16): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next++ < n) ids.push((await submitWorkflow(engine, chainOf(3))).id);
    }),
  );
  return ids;
}

const SCENARIOS = {
  /** One fan-out/fan-in of `n` tasks, run to the end. */
  fanout: (n: number) =>
    withSystem(WORKERS, async (engine) => {
      await finished(engine, (await submitWorkflow(engine, fanOutOf(n))).id);
      return { units: n };
    }),
  /** `n` 3-task workflows submitted by 16 clients, no worker running. */
  submits: (n: number) =>
    withSystem(0, async (engine) => ({ units: (await submitMany(engine, n)).length })),
  /** `n` 3-task workflows submitted by 16 clients while the workers run them: all done. */
  many: (n: number) =>
    withSystem(WORKERS, async (engine) => {
      const ids = await submitMany(engine, n);
      for (const id of ids) await finished(engine, id);
      return { units: n };
    }),
};
type Scenario = keyof typeof SCENARIOS;

/**
 * Runs each scenario in a Node process of its own: in the benchmark's process, after the core
 * suite's 100,000-task workflows, its heap and collector cut the rate by half or more.
 */
function inChild(scenario: Scenario, n: number): { units: number; seconds: number; cpuMs: number } {
  const child = spawnSync(
    process.execPath,
    ["--import", "tsx", fileURLToPath(import.meta.url), scenario, String(n)],
    { encoding: "utf8", timeout: 900_000 },
  );
  if (child.status !== 0) throw new Error(`memory e2e ${scenario} ${n}: ${child.stderr}`);
  return JSON.parse(child.stdout);
}

const CPU_LINE = (ms: number, unit: string) =>
  `CPU of the one process (coordinator, consumer, workers, spawning \`true\`): ${ms.toFixed(2)} ms per ${unit}; children's own CPU not included`;

export interface MemorySizes {
  readonly fanOuts: readonly number[];
  readonly submits: number;
  /** 3-task workflows run at once; the figure is named for 10,000 (and projected in quick mode). */
  readonly many: number;
}

export async function runMemoryE2e(
  sizes: MemorySizes,
  log: (line: string) => void,
): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const tasks of sizes.fanOuts) {
    const r = inChild("fanout", tasks);
    const tasksPerS = tasks / r.seconds;
    log(`memory e2e: fan-out of ${tasks}: ${tasksPerS.toFixed(1)} tasks/s`);
    figures.push({
      metric: `memory.tasks_per_s.${tasks >= 1000 ? `${tasks / 1000}k` : tasks}`,
      name: `${tasks.toLocaleString("en-US")}-task fan-out/fan-in, in-memory storage, 4 workers × 4, one process`,
      value: tasksPerS,
      unit: "tasks/s",
      target: atLeast(200),
      detail: [CPU_LINE(r.cpuMs / tasks, "task")],
    });
  }
  const sub = inChild("submits", sizes.submits);
  log(`memory e2e: ${sizes.submits} submits: ${(sizes.submits / sub.seconds).toFixed(1)}/s`);
  figures.push({
    metric: "memory.submit_per_s",
    name: `submit rate, 3-task workflows, 16 clients, no worker, in-memory storage, one process (${sizes.submits})`,
    value: sizes.submits / sub.seconds,
    unit: "/s",
    target: atLeast(200),
    detail: [CPU_LINE(sub.cpuMs / sizes.submits, "submit")],
  });
  const many = inChild("many", sizes.many);
  const scale = 10_000 / sizes.many;
  log(`memory e2e: ${sizes.many} workflows of 3 tasks: ${many.seconds.toFixed(1)} s`);
  figures.push({
    metric: "memory.10k_workflows_s",
    name: `10,000 workflows of 3 tasks, 16 clients submitting as they run, in-memory storage, 4 workers × 4, one process: all done${scale > 1 ? ` (${sizes.many} run, time × ${formatNumber(scale)})` : ""}`,
    value: many.seconds * scale,
    unit: "s",
    target: atMost(180),
    detail: [
      `${formatNumber((3 * sizes.many) / many.seconds)} tasks/s`,
      CPU_LINE(many.cpuMs / sizes.many, "workflow"),
    ],
  });
  return figures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [scenario, n] = process.argv.slice(2) as [Scenario, string];
  console.log(JSON.stringify(await SCENARIOS[scenario](Number(n))));
  process.exit(0);
}
