import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cancelWorkflow } from "../../src/engine/cancel.js";
import { purgeWorkflow } from "../../src/engine/purge.js";
import { getStatus } from "../../src/engine/queries.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { type RunningWorker, startWorker } from "../../src/worker/startWorker.js";
import { memoryEngine } from "../engine/fakeWorld.js";
import { pumpCompletions, until } from "./pump.js";

/**
 * A task message can wait in its queue while its workflow is cancelled or purged, or while
 * its attempt is superseded. The worker must check before it launches anything: the command's
 * side effects (here, a file it touches) must never happen.
 */
const stops: Array<() => Promise<void>> = [];
let marks: string;
beforeEach(() => {
  marks = mkdtempSync(join(tmpdir(), "dagq-prelaunch-"));
});
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  rmSync(marks, { recursive: true, force: true });
});

async function world() {
  const { engine, storage } = await memoryEngine({ coordinator: { lingerMs: 20 } });
  const pump = pumpCompletions(engine);
  stops.push(() => pump.stop());
  const worker = () => {
    const w: RunningWorker = startWorker({
      storage,
      prefix: engine.names.prefix,
      queue: "default",
      concurrency: 2,
      pollMaxMs: 50,
      signalPollMs: 100,
      shutdownGraceMs: 2000,
    });
    stops.push(() => w.stop());
    return w;
  };
  const queued = async () =>
    (await storage.queues.depth(engine.names.taskQueue("default"))) === 0 ? true : null;
  return { engine, storage, worker, queued };
}

const touching = (name: string, extra = {}) => ({
  name: "touchy",
  tasks: [
    {
      name,
      command: `touch "$MARKS/${name}-$DAGQ_ATTEMPT"`,
      env: { MARKS: marks },
      ...extra,
    },
  ],
});

describe("the worker checks before it launches a task", () => {
  it("a task of a workflow cancelled while its message waited never starts", async () => {
    const { engine, worker, queued } = await world();
    const { id } = await submitWorkflow(engine, touching("t"));
    await cancelWorkflow(engine, id, "changed my mind");
    expect((await getStatus(engine, id, true))?.status).toBe("cancelled");
    const w = worker();
    await until("the message to be taken", queued);
    await until("the worker to drop it", async () => w.worker.stats.dropped === 1);
    expect(readdirSync(marks)).toEqual([]);
    expect(w.worker.stats.started).toBe(0);
  });

  it("a task of a purged workflow never starts", async () => {
    const { engine, worker, queued } = await world();
    const { id } = await submitWorkflow(engine, touching("t"));
    expect((await purgeWorkflow(engine, id)).existed).toBe(true);
    const w = worker();
    await until("the message to be taken", queued);
    await until("the worker to drop it", async () => w.worker.stats.dropped === 1);
    expect(readdirSync(marks)).toEqual([]);
  });

  it("a redelivered message of a superseded attempt never starts; the current attempt runs", async () => {
    const { engine, storage, worker } = await world();
    const { id } = await submitWorkflow(engine, touching("t", { num_retries: 1 }));
    const queue = engine.names.taskQueue("default");
    const [first] = await storage.queues.receive(queue, 1, 30);
    await storage.queues.delete(queue, first!);
    // Attempt 1 failed (its worker reported it, then died before deleting the message).
    const report = { kind: "failed", workflow_id: id, task: "t", attempt: 1, error: "boom" };
    await storage.queues.send(
      engine.names.completionQueue,
      JSON.stringify({ v: 1, completions: [report] }),
    );
    await until("the retry to be dispatched", async () => (await storage.queues.depth(queue)) > 0);
    await storage.queues.send(queue, first!.text); // the old message comes back
    const w = worker();
    await until("the workflow to finish", async () => {
      const s = await getStatus(engine, id, true);
      return s?.status === "completed";
    });
    await until("the old message to be dropped", async () => w.worker.stats.dropped === 1);
    expect(existsSync(join(marks, "t-1"))).toBe(false);
    expect(existsSync(join(marks, "t-2"))).toBe(true);
  });
});

describe("a workflow purged while its task runs", () => {
  it("leaves no spilled output behind: the worker checks before it writes the blob", async () => {
    const { engine, storage, worker } = await world();
    const big = `node -e 'require("fs").writeFileSync(process.env.DAGQ_OUTPUT, JSON.stringify({ x: "y".repeat(50000) }))'`;
    const { id } = await submitWorkflow(engine, {
      name: "late",
      tasks: [
        { name: "t", command: `touch "$MARKS/started"; sleep 1; ${big}`, env: { MARKS: marks } },
      ],
    });
    const w = worker();
    await until("the task to start", async () => existsSync(join(marks, "started")));
    expect((await purgeWorkflow(engine, id)).existed).toBe(true);
    await until("the task to end", async () => w.worker.stats.completed === 1);
    await new Promise((r) => setTimeout(r, 200));
    const left: string[] = [];
    for await (const p of storage.blobs.list(engine.names.workflowPrefix(id))) left.push(p);
    expect(left).toEqual([]);
  });
});
