/**
 * The end-to-end fan-outs again, with a storage that costs nothing: the in-memory adapter (the
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
import { atLeast, type Figure } from "./figure.js";
import { fanOutOf } from "./workflowShapes.js";

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

async function fanOut(tasks: number): Promise<{ tasksPerS: number; cpuMsPerTask: number }> {
  const storage = memoryStorage();
  // The shipped settings: a Function App's defaults (flow control, packs).
  const settings = ConfigSchema.parse({ DAGQ_PREFIX: "bench", ...settingsOver });
  const engine = createEngine(storage, engineOptions(settings, silentTelemetry));
  await provision(engine);
  const consumer = consume(engine);
  // Registered, as `dagq worker` is: the coordinator sizes packs and queue windows by them.
  const workers = await Promise.all(
    Array.from({ length: WORKERS }, (_, i) =>
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
  const { id } = await submitWorkflow(engine, fanOutOf(tasks));
  for (;;) {
    const s = await getStatus(engine, id);
    if (s && s.status !== "running" && s.status !== "pending") {
      if (s.status !== "completed") throw new Error(`fan-out of ${tasks}: ${s.status}`);
      break;
    }
    await sleep(20);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuUsage(cpu0);
  await Promise.all(workers.map((w) => w.stop()));
  await consumer.stop();
  await engine.coordinator.flush();
  return {
    tasksPerS: tasks / seconds,
    cpuMsPerTask: (cpu.user + cpu.system) / 1000 / tasks,
  };
}

/**
 * Runs the fan-outs in a Node process of their own: in the benchmark's process, after the core
 * suite's 100,000-task workflows, its heap and collector cut the rate by half or more.
 */
export async function runMemoryE2e(
  sizes: readonly number[],
  log: (line: string) => void,
): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const tasks of sizes) {
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", fileURLToPath(import.meta.url), String(tasks)],
      { encoding: "utf8", timeout: 600_000 },
    );
    if (child.status !== 0) throw new Error(`memory e2e of ${tasks}: ${child.stderr}`);
    const r = JSON.parse(child.stdout) as { tasksPerS: number; cpuMsPerTask: number };
    log(`memory e2e: fan-out of ${tasks}: ${r.tasksPerS.toFixed(1)} tasks/s`);
    figures.push({
      metric: `memory.tasks_per_s.${tasks >= 1000 ? `${tasks / 1000}k` : tasks}`,
      name: `${tasks.toLocaleString("en-US")}-task fan-out/fan-in, in-memory storage, 4 workers × 4, one process`,
      value: r.tasksPerS,
      unit: "tasks/s",
      target: atLeast(200),
      detail: [
        `CPU of the one process (coordinator, consumer, workers, spawning \`true\`): ${r.cpuMsPerTask.toFixed(2)} ms per task; children's own CPU not included`,
      ],
    });
  }
  return figures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await fanOut(Number(process.argv[2]))));
  process.exit(0);
}
