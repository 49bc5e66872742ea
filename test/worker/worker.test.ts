import { afterEach, describe, expect, it } from "vitest";
import { loadDefinitionFile } from "../../src/definitionFile.js";
import { cancelWorkflow } from "../../src/engine/cancel.js";
import { getStatus, getTasks } from "../../src/engine/queries.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { runLocal } from "../../src/local/runner.js";
import { type RunningWorker, startWorker } from "../../src/worker/startWorker.js";
import { memoryEngine } from "../engine/fakeWorld.js";
import { pumpCompletions, until } from "./pump.js";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function world(workerOpts: { concurrency?: number; signalPollMs?: number } = {}) {
  const { engine, storage } = await memoryEngine({ coordinator: { lingerMs: 20 } });
  const pump = pumpCompletions(engine);
  const worker: RunningWorker = startWorker({
    storage,
    prefix: engine.names.prefix,
    queue: "default",
    concurrency: 4,
    pollMaxMs: 50,
    signalPollMs: 100,
    shutdownGraceMs: 2000,
    ...workerOpts,
  });
  stops.push(
    () => pump.stop(),
    () => worker.stop(),
  );
  return { engine, storage, worker };
}

async function finished(engine: Awaited<ReturnType<typeof world>>["engine"], id: string) {
  return until(`workflow ${id} to finish`, async () => {
    const s = await getStatus(engine, id, true);
    return s && ["completed", "failed", "cancelled"].includes(s.status) ? s : null;
  });
}

async function byName(engine: Awaited<ReturnType<typeof world>>["engine"], id: string) {
  const { tasks } = (await getTasks(engine, id, {}))!;
  return Object.fromEntries(
    tasks.map((t) => [t.name, { status: t.status, attempts: t.attempts, output: t.output }]),
  );
}

describe("dagq worker with the coordinator", () => {
  it("runs the ML example to the same final states and outputs as run-local", async () => {
    const { engine } = await world();
    const def = await loadDefinitionFile("examples/ml-pipeline.yaml");
    const { id } = await submitWorkflow(engine, def.definition);
    expect((await finished(engine, id)).status).toBe("completed");
    const local = await runLocal(def, { concurrency: 4 });
    const expected = Object.fromEntries(
      Object.entries(local.tasks).map(([name, t]) => [
        name,
        { status: t.status, attempts: t.attempts, output: t.output },
      ]),
    );
    expect(await byName(engine, id)).toEqual(expected);
  });

  it("kills a running task when its workflow is cancelled", async () => {
    const { engine } = await world();
    const { id } = await submitWorkflow(engine, {
      name: "sleepy",
      tasks: [{ name: "nap", command: "echo $$ > /tmp/dagq-nap-$DAGQ_WORKFLOW_ID; exec sleep 30" }],
    });
    await until(
      "the task to start",
      async () => (await getTasks(engine, id, {}))?.tasks[0]?.status === "running",
    );
    const t0 = Date.now();
    await cancelWorkflow(engine, id, "enough");
    expect((await finished(engine, id)).status).toBe("cancelled");
    const fs = await import("node:fs");
    const pid = Number(fs.readFileSync(`/tmp/dagq-nap-${id}`, "utf8"));
    await until("the sleep to be killed", async () => !fs.existsSync(`/proc/${pid}`));
    expect(Date.now() - t0).toBeLessThan(5000);
    fs.rmSync(`/tmp/dagq-nap-${id}`);
  });

  it("times out a task, and retries one that fails its first attempt", async () => {
    const { engine } = await world();
    const { id } = await submitWorkflow(engine, {
      name: "tr",
      defaults: { retry_backoff_s: 0 },
      tasks: [
        { name: "slow", command: "sleep 30", timeout_s: 1 },
        {
          name: "flaky",
          command: 'test "$DAGQ_ATTEMPT" -ge 2 && echo \'{"ok":true}\' > "$DAGQ_OUTPUT"',
          num_retries: 1,
        },
      ],
    });
    expect((await finished(engine, id)).status).toBe("failed");
    const tasks = (await getTasks(engine, id, {}))!.tasks;
    expect(tasks.find((t) => t.name === "slow")).toMatchObject({
      status: "failed",
      attempts: 1,
      reason: "timed out after 1s",
    });
    expect(tasks.find((t) => t.name === "flaky")).toMatchObject({
      status: "completed",
      attempts: 2,
      output: { ok: true },
    });
  });

  it("spills a large output to a blob and a child reads it back whole", async () => {
    const { engine, storage } = await world();
    const { id } = await submitWorkflow(engine, {
      name: "big",
      tasks: [
        {
          name: "make",
          command: `node -e 'require("fs").writeFileSync(process.env.DAGQ_OUTPUT, JSON.stringify({ blob: "x".repeat(100000), n: 7 }))'`,
        },
        {
          name: "use",
          command: `node -e 'const i = JSON.parse(require("fs").readFileSync(process.env.DAGQ_INPUTS)); require("fs").writeFileSync(process.env.DAGQ_OUTPUT, JSON.stringify({ len: i.make.blob.length, n: i.make.n }))'`,
          depends_on: ["make"],
          condition: "inputs.make.n == 7",
        },
      ],
    });
    expect((await finished(engine, id)).status).toBe("completed");
    const tasks = await byName(engine, id);
    expect(tasks.use?.output).toEqual({ len: 100000, n: 7 });
    // Stored as a blob, shown as the value.
    expect(tasks.make?.output).toMatchObject({ n: 7 });
    const refs = (await getTasks(engine, id, { prefix: "make", refs: true }))!.tasks;
    expect(refs[0]?.output).toMatchObject({ $dagq: "output-ref", bytes: 100_017 });
    expect(await storage.blobs.read(engine.names.outputBlob(id, "make", 1))).not.toBeNull();
  });

  it("sends a malformed task message to the poison queue and goes on", async () => {
    const { engine, storage, worker } = await world();
    const q = engine.names.taskQueue("default");
    await storage.queues.send(q, '{"v":1,"nonsense":true}');
    const { id } = await submitWorkflow(engine, {
      name: "ok",
      tasks: [{ name: "a", command: "true" }],
    });
    expect((await finished(engine, id)).status).toBe("completed");
    await until(
      "the poison message",
      async () => (await storage.queues.depth(engine.names.poisonQueue(q))) === 1,
    );
    expect(worker.worker.stats.poisoned).toBe(1);
  });
});
