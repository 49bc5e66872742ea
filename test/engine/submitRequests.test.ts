import { describe, expect, it } from "vitest";
import { getStatus } from "../../src/engine/queries.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { memoryStorage } from "../../src/memory/memoryStorage.js";
import type { Storage } from "../../src/storage/ports.js";
import { engineOn, runToEnd, succeedAll } from "./fakeWorld.js";

/** Storage that counts calls per `port.method`, the memory twin underneath. */
function counted(): { storage: Storage; calls: Map<string, number> } {
  const inner = memoryStorage();
  const calls = new Map<string, number>();
  const wrap = <T extends object>(port: string, target: T): T =>
    new Proxy(target, {
      get(t, key, receiver) {
        const v = Reflect.get(t, key, receiver);
        if (typeof v !== "function") return v;
        return (...args: unknown[]) => {
          calls.set(`${port}.${String(key)}`, (calls.get(`${port}.${String(key)}`) ?? 0) + 1);
          return (v as (...a: unknown[]) => unknown).apply(t, args);
        };
      },
    });
  return {
    storage: {
      ...inner,
      blobs: wrap("blobs", inner.blobs),
      queues: wrap("queues", inner.queues),
      tables: wrap("tables", inner.tables),
      tasks: wrap("tasks", inner.tasks),
    },
    calls,
  };
}

const threeRoots = {
  name: "roots",
  tasks: [
    { name: "a", command: "x" },
    { name: "b", command: "x" },
    { name: "c", command: "x" },
    { name: "d", command: "x", depends_on: ["a", "b", "c"] },
  ],
};

describe("submit", () => {
  it("dispatches the roots from the state it wrote: nothing read back, no inbox, one index row", async () => {
    const { storage, calls } = counted();
    const engine = await engineOn(storage, { coordinator: { inboxPollMs: 2_000 } });
    calls.clear();
    const { id } = await submitWorkflow(engine, threeRoots);
    expect(Object.fromEntries(calls)).toEqual({
      "blobs.create": 2, // definition, head
      "blobs.createAppend": 1, // journal
      "tables.upsert": 1, // index row
      "blobs.acquireLease": 1,
      "tasks.send": 1, // a, b and c, one message each
      "blobs.append": 1, // the dispatch, in the journal
    });
    expect(await storage.queues.depth(engine.names.taskQueue("default"))).toBe(3);
    await runToEnd([engine], succeedAll);
    expect((await getStatus(engine, id))?.status).toBe("completed");
  });
});
