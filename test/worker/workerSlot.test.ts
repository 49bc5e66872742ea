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
