import { describe, expect, it } from "vitest";
import { getStatus } from "../../src/engine/queries.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { memoryStorage } from "../../src/memory/memoryStorage.js";
import { engineOn, runToEnd, succeedAll } from "./fakeWorld.js";
import { Faults } from "./faults.js";

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
    const faults = new Faults(); // armed with nothing: it only counts the calls
    const storage = faults.wrap(memoryStorage());
    const { calls } = faults;
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
