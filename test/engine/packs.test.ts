import { afterEach, describe, expect, it } from "vitest";
import { ingestCompletionMessage } from "../../src/engine/ingest.js";
import { getStatus, getTasks } from "../../src/engine/queries.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { memoryStorage } from "../../src/memory/memoryStorage.js";
import { unpackTexts } from "../../src/protocol/taskPack.js";
import type { Storage } from "../../src/storage/ports.js";
import { startWorker } from "../../src/worker/startWorker.js";
import { pumpCompletions, until } from "../worker/pump.js";
import {
  BACKENDS,
  engineOn,
  message,
  registerWorker,
  runToEnd,
  settle,
  storageFor,
  succeedAll,
} from "./fakeWorld.js";

/** root → leaves → sink: the leaves become ready together. */
const fan = (leaves: number, command = "true") => ({
  name: "fan",
  tasks: [
    { name: "root", command },
    ...Array.from({ length: leaves }, (_, i) => ({
      name: `leaf${i}`,
      command,
      depends_on: ["root"],
    })),
    { name: "sink", command, depends_on: Array.from({ length: leaves }, (_, i) => `leaf${i}`) },
  ],
});

/** The task messages the engine sends, each as the list of tasks it holds. */
function recordSends(storage: Storage): string[][] {
  const sent: string[][] = [];
  const send = storage.tasks.send.bind(storage.tasks);
  storage.tasks.send = async (target, texts, opts) => {
    for (const t of texts) sent.push(unpackTexts(t).map((m) => JSON.parse(m).task as string));
    return send(target, texts, opts);
  };
  return sent;
}

describe.each(BACKENDS)("task packs (%s)", (backend) => {
  it("tasks ready together travel in packs the size of the smallest live worker", async () => {
    const { storage, prefix } = storageFor(backend);
    const sent = recordSends(storage);
    const engine = await engineOn(storage, { prefix, maxQueueDepth: 10_000, maxPackTasks: 32 });
    await registerWorker(engine, "big", { concurrency: 8 });
    await registerWorker(engine, "small", { concurrency: 4 });
    await registerWorker(engine, "stopped", { concurrency: 1, stoppedAt: engine.clock() });
    const { id } = await submitWorkflow(engine, fan(10));
    await runToEnd([engine], succeedAll);
    expect((await getStatus(engine, id, true))!.status).toBe("completed");
    expect(sent.map((m) => m.length)).toEqual([1, 4, 4, 2, 1]);
    expect(sent.flat().sort()).toEqual(
      fan(10)
        .tasks.map((t) => t.name)
        .sort(),
    );
  });

  it("no packs while no registered worker serves the queue, nor with packs turned off", async () => {
    for (const [maxPackTasks, registered] of [
      [32, false],
      [1, true],
    ] as const) {
      const { storage, prefix } = storageFor(backend);
      const sent = recordSends(storage);
      const engine = await engineOn(storage, { prefix, maxQueueDepth: 10_000, maxPackTasks });
      if (registered) await registerWorker(engine, "w");
      await submitWorkflow(engine, fan(6));
      await runToEnd([engine], succeedAll);
      expect(sent.map((m) => m.length)).toEqual(Array(8).fill(1));
    }
  });
});

describe("flow control with packs", () => {
  it("a pack whose tasks were all reported but not yet deleted never holds a workflow back", async () => {
    const t = { now: 1_800_000_000_000 };
    const clock = () => t.now;
    const engine = await engineOn(memoryStorage(clock), {
      clock,
      maxQueueDepth: 160,
      maxPackTasks: 32,
    });
    await registerWorker(engine, "w"); // 4 slots: packs of 4
    const q = engine.names.taskQueue("default");
    const { id } = await submitWorkflow(engine, {
      name: "wide",
      tasks: Array.from({ length: 300 }, (_, i) => ({ name: `t${i}`, command: "x" })),
    });
    await settle([engine]);
    expect(await engine.storage.queues.depth(q)).toBe(40); // 160 tasks in packs of 4
    // Every task ran and is reported while its pack is still in the queue (a worker deletes
    // after sending), and the depth is read again just then: 40 messages, not 160 tasks.
    const packs = [
      ...(await engine.storage.queues.receive(q, 32, 60)),
      ...(await engine.storage.queues.receive(q, 32, 60)),
    ];
    const reports = packs.flatMap((m) =>
      unpackTexts(m.text).flatMap((text) => {
        const { workflow_id, task, attempt } = JSON.parse(text);
        const base = { workflow_id, task, attempt };
        return [
          { kind: "started" as const, ...base },
          { kind: "completed" as const, ...base },
        ];
      }),
    );
    expect(reports).toHaveLength(320);
    t.now += 3_000;
    await ingestCompletionMessage(engine, message(reports));
    await settle([engine]);
    for (const m of packs) await engine.storage.queues.delete(q, m);
    expect(await engine.storage.queues.depth(q)).toBeGreaterThan(0); // the next tasks went out
    await runToEnd([engine], succeedAll);
    expect((await getStatus(engine, id, true))!.status).toBe("completed");
  });
});

describe("a real worker with packs larger than its free slots", () => {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  it("runs every task once, sending back what it cannot start", async () => {
    const { storage } = storageFor("memory");
    const engine = await engineOn(storage, {
      coordinator: { lingerMs: 20 },
      maxQueueDepth: 10_000,
      maxPackTasks: 32,
    });
    // The registry says 6 slots per worker; this worker has 2, so packs of 6 are split.
    await registerWorker(engine, "registered", { concurrency: 6 });
    let sentBack = 0;
    const q = engine.names.taskQueue("default");
    const send = storage.queues.send.bind(storage.queues);
    storage.queues.send = async (queue, text, opts) => {
      if (queue === q) sentBack++;
      return send(queue, text, opts);
    };
    const pump = pumpCompletions(engine);
    const worker = startWorker({
      storage,
      prefix: engine.names.prefix,
      queue: "default",
      concurrency: 2,
      pollMaxMs: 50,
      shutdownGraceMs: 1000,
    });
    stops.push(
      () => pump.stop(),
      () => worker.stop(),
    );
    const { id } = await submitWorkflow(
      engine,
      fan(12, 'echo "{\\"n\\": \\"$DAGQ_TASK\\"}" > "$DAGQ_OUTPUT"'),
    );
    await until("the fan to finish", async () => {
      const s = await getStatus(engine, id, true);
      return s?.status === "completed" ? s : null;
    });
    const { tasks } = (await getTasks(engine, id, {}))!;
    expect(tasks).toHaveLength(14);
    for (const t of tasks) {
      expect(t.attempts, t.name).toBe(1);
      expect(t.output, t.name).toEqual({ n: t.name });
    }
    expect(sentBack).toBeGreaterThan(0);
    expect(worker.worker.stats.started).toBe(14);
    expect(await storage.queues.depth(q)).toBe(0);
  });
});
