import { describe, expect, it } from "vitest";
import { ingestCompletionMessage } from "../../src/engine/ingest.js";
import { getStatus, getTasks } from "../../src/engine/queries.js";
import { lingerFor } from "../../src/engine/session.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { memoryStorage } from "../../src/memory/memoryStorage.js";
import { engineOn, message, settle, succeedAll, takeTasks } from "./fakeWorld.js";
import { Faults } from "./faults.js";

/**
 * How long a coordinator keeps a workflow's lease, and what it costs: docs/design.md ("Several
 * instances") and the session table in src/engine/session.ts.
 */
const chain = {
  name: "chain",
  tasks: [
    { name: "a", command: "x" },
    { name: "b", command: "x", depends_on: ["a"] },
    { name: "c", command: "x", depends_on: ["b"] },
  ],
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the lease while tasks are in flight", () => {
  it("is held from submit to finish: one acquire, one release, one inbox look for a whole chain", async () => {
    const faults = new Faults(); // armed with nothing: it only counts the calls
    const storage = faults.wrap(memoryStorage());
    // lingerMs 5: without tasks in flight the lease would go between hops, which take 50 ms here.
    const engine = await engineOn(storage, { coordinator: { lingerMs: 5, inboxPollMs: 60_000 } });
    faults.calls.clear();
    const { id } = await submitWorkflow(engine, chain);
    for (let hop = 0; hop < 3; hop++) {
      await sleep(50);
      expect(engine.coordinator.held(), `hop ${hop}`).toEqual([id]);
      for (const text of (await takeTasks(engine, succeedAll)).map((r) => message(r)))
        await ingestCompletionMessage(engine, text);
    }
    expect((await getStatus(engine, id))?.status).toBe("completed");
    await sleep(50); // finished: nothing in flight, so the short linger applies
    expect(engine.coordinator.held()).toEqual([]);
    const calls = Object.fromEntries(faults.calls);
    expect(calls["blobs.acquireLease"]).toBe(1);
    expect(calls["blobs.releaseLease"]).toBe(1);
    expect(calls["tables.query"]).toBe(1); // the look before letting go
    expect(calls["blobs.read"] ?? 0).toBe(0); // nothing read back between hops
  });

  it("is kept longer only while tasks are in flight, and at most a third of the lease", () => {
    const config = { lingerMs: 250, activeLingerMs: 5000, leaseS: 15 };
    const run = (inFlight: number, status = "running") =>
      ({ inFlight, wf: { status } }) as Parameters<typeof lingerFor>[0];
    expect(lingerFor(run(3), config)).toBe(5000);
    expect(lingerFor(run(0), config)).toBe(250);
    expect(lingerFor(run(3, "cancelled"), config)).toBe(250);
    expect(lingerFor(undefined, config)).toBe(250);
    expect(lingerFor(run(3), { ...config, activeLingerMs: 60_000 })).toBe(5000);
    expect(lingerFor(run(3), { ...config, activeLingerMs: 60_000, leaseS: 60 })).toBe(20_000);
    // Never shorter than the idle linger.
    expect(lingerFor(run(3), { ...config, activeLingerMs: 10 })).toBe(250);
  });
});

describe("events parked for a lingering holder", () => {
  it("are applied by the holder within a look period, with no report sent to it and the lease kept", async () => {
    const faults = new Faults();
    const storage = faults.wrap(memoryStorage());
    // A would linger for ten minutes: only its look into the inbox table can find B's events.
    const a = await engineOn(storage, { coordinator: { lingerMs: 600_000, inboxPollMs: 50 } });
    const b = await engineOn(storage);
    const { id } = await submitWorkflow(a, chain);
    const [reports] = await takeTasks(a, () => ({ ok: true }));
    expect(await ingestCompletionMessage(b, message(reports!))).toMatchObject({ parked: 2 });
    faults.calls.clear();
    const deadline = Date.now() + 2000;
    while ((await getTasks(a, id, {}))?.tasks[0]?.status !== "completed") {
      if (Date.now() > deadline) throw new Error("the parked report was never applied");
      await sleep(10);
    }
    expect(a.coordinator.held()).toEqual([id]);
    expect(faults.calls.get("blobs.releaseLease") ?? 0).toBe(0);
    // The look is one query for every workflow A holds, and stops when A holds none.
    await settle([a, b]);
    faults.calls.clear();
    await sleep(200);
    expect(faults.calls.get("tables.query") ?? 0).toBe(0);
  });

  it("are looked for with one query per look period, however many workflows the instance holds", async () => {
    const faults = new Faults();
    const storage = faults.wrap(memoryStorage());
    const a = await engineOn(storage, { coordinator: { lingerMs: 600_000, inboxPollMs: 100 } });
    const ids: string[] = [];
    for (let k = 0; k < 200; k++) ids.push((await submitWorkflow(a, chain)).id);
    faults.calls.clear();
    await sleep(350);
    const looks = faults.calls.get("tables.query") ?? 0;
    expect(looks).toBeGreaterThanOrEqual(2);
    expect(looks).toBeLessThanOrEqual(4);
    expect(a.coordinator.held()).toHaveLength(200);
    await settle([a]);
  });
});
