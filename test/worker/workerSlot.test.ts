import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { getStatus } from "../../src/engine/queries.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import type { QueueStore } from "../../src/storage/ports.js";
import { startWorker } from "../../src/worker/startWorker.js";
import { memoryEngine } from "../engine/fakeWorld.js";
import { pumpCompletions, until } from "./pump.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The same queues, but sends to `queue` wait until `open()` is called. */
function gatedSends(queues: QueueStore, queue: string) {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const gated = new Proxy(queues, {
    get(target, key, receiver) {
      if (key === "send")
        return async (...args: Parameters<QueueStore["send"]>) => {
          if (args[0] === queue) await gate;
          return target.send(...args);
        };
      const v = Reflect.get(target, key, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { gated, open };
}

describe("a worker's slot", () => {
  it("is free for the next task once the command is done, before its completion is sent and its message deleted", async () => {
    const { engine, storage } = await memoryEngine({ coordinator: { lingerMs: 20 } });
    const pump = pumpCompletions(engine);
    const { gated, open } = gatedSends(storage.queues, engine.names.completionQueue);
    const dir = mkdtempSync(join(tmpdir(), "dagq-slot-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const worker = startWorker({
      storage: { ...storage, queues: gated },
      prefix: engine.names.prefix,
      queue: "default",
      concurrency: 1,
      pollMaxMs: 50,
      signalPollMs: 100,
      shutdownGraceMs: 2000,
    });
    cleanups.push(
      () => pump.stop(),
      async () => {
        open();
        await worker.stop();
      },
    );
    const { id } = await submitWorkflow(engine, {
      name: "two",
      tasks: ["a", "b"].map((name) => ({ name, command: `touch ${dir}/$DAGQ_TASK` })),
    });
    // No completion can reach the queue, yet both tasks run, one after the other, in one slot.
    await until("both tasks to have run", async () =>
      ["a", "b"].every((t) => existsSync(join(dir, t))),
    );
    open();
    const done = await until("the workflow to finish", async () => {
      const s = await getStatus(engine, id, true);
      return s && s.status !== "running" && s.status !== "pending" ? s : null;
    });
    expect(done.status).toBe("completed");
  });
});

describe("an idle worker's polling", () => {
  it("looks again soon after a task ends, however far its back-off had grown", async () => {
    const { engine, storage } = await memoryEngine({ coordinator: { lingerMs: 20 } });
    const pump = pumpCompletions(engine);
    const q = engine.names.taskQueue("default");
    const polls: number[] = [];
    const counted = new Proxy(storage.queues, {
      get(target, key, receiver) {
        if (key === "receive")
          return (...args: Parameters<QueueStore["receive"]>) => {
            if (args[0] === q) polls.push(Date.now());
            return target.receive(...args);
          };
        const v = Reflect.get(target, key, receiver);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    const worker = startWorker({
      storage: { ...storage, queues: counted },
      prefix: engine.names.prefix,
      queue: "default",
      concurrency: 2,
      pollMaxMs: 30_000,
      signalPollMs: 100,
      shutdownGraceMs: 2000,
    });
    cleanups.push(
      () => pump.stop(),
      () => worker.stop(),
    );
    // While `a` runs 4 s, the other slot's empty polls back off past 3 s between looks.
    const { id } = await submitWorkflow(engine, {
      name: "hop",
      tasks: [
        { name: "a", command: "sleep 4" },
        { name: "b", command: "true", depends_on: ["a"] },
      ],
    });
    await until("a to start", async () => worker.worker.stats.started >= 1);
    const started = Date.now();
    await until("a to end", async () => worker.worker.stats.completed >= 1, 20_000);
    const ended = Date.now();
    expect(ended - started).toBeGreaterThan(3_000);
    await until("the hop to finish", async () => {
      const s = await getStatus(engine, id, true);
      return s?.status === "completed" ? s : null;
    });
    const gaps = polls
      .filter((t) => t > started && t < ended)
      .map((t, i, a) => t - (a[i - 1] ?? started));
    expect(Math.max(...gaps)).toBeGreaterThan(1_000); // it had backed off
    const next = polls.find((t) => t >= ended);
    expect(next! - ended).toBeLessThan(500); // and looked again at once
  }, 30_000);
});
