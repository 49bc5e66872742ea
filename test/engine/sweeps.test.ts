import { describe, expect, it } from "vitest";
import { admitPending } from "../../src/engine/admission.js";
import { ingestCompletionMessage } from "../../src/engine/ingest.js";
import { sweepOrphans } from "../../src/engine/orphans.js";
import { getStatus, getTasks, listWorkflows } from "../../src/engine/queries.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { sweepRunning } from "../../src/engine/sweeps.js";
import { memoryStorage } from "../../src/memory/memoryStorage.js";
import {
  engineOn,
  message,
  registerWorker,
  runToEnd,
  settle,
  succeedAll,
  takeTasks,
} from "./fakeWorld.js";

function clocked() {
  const t = { now: 1_800_000_000_000 };
  return { t, clock: () => t.now };
}

const one = (extra: Record<string, unknown> = {}) => ({
  name: "one",
  tasks: [{ name: "a", command: "x", ...extra }],
});

describe("running sweep", () => {
  it("fails attempts past their timeout, then retries them", async () => {
    const { t, clock } = clocked();
    const engine = await engineOn(memoryStorage(clock), { clock });
    const { id } = await submitWorkflow(
      engine,
      one({ timeout_s: 60, num_retries: 1, retry_backoff_s: 0 }),
    );
    const [m] = await engine.storage.queues.receive("t-tasks-default", 1, 600);
    await ingestCompletionMessage(
      engine,
      message([{ kind: "started", workflow_id: id, task: "a", attempt: 1 }]),
    );
    await settle([engine]);
    t.now += 30_000;
    expect((await sweepRunning(engine)).timedOut).toBe(0);
    t.now += 31_000;
    const report = await sweepRunning(engine);
    expect(report).toMatchObject({ timedOut: 1, visited: 1 });
    await settle([engine]);
    const task = (await getTasks(engine, id, {}))!.tasks[0]!;
    expect(task).toMatchObject({
      status: "ready",
      attempts: 1,
      reason: "attempt 1 failed: timed out after 60s",
    });
    expect(m).toBeDefined();
  });

  it("skips rows that did not change and are not due", async () => {
    const { t, clock } = clocked();
    const engine = await engineOn(memoryStorage(clock), { clock });
    await submitWorkflow(engine, one());
    await settle([engine]);
    expect((await sweepRunning(engine)).visited).toBe(1);
    t.now += 1000;
    expect(await sweepRunning(engine)).toMatchObject({ examined: 1, visited: 0 });
  });

  it("re-dispatches a task whose message was lost, only once its queue is empty", async () => {
    const { t, clock } = clocked();
    const engine = await engineOn(memoryStorage(clock), {
      clock,
      coordinator: { repairAfterMs: 60_000 },
    });
    const { id } = await submitWorkflow(engine, {
      name: "two",
      tasks: [
        { name: "a", command: "x" },
        { name: "b", command: "x" },
      ],
    });
    await settle([engine]);
    const q = "t-tasks-default";
    const [lost] = await engine.storage.queues.receive(q, 1, 1);
    await engine.storage.queues.delete(q, lost!); // a buggy worker dropped it
    t.now += 61_000;
    await sweepRunning(engine);
    await settle([engine]);
    expect(await engine.storage.queues.depth(q)).toBe(1); // the other message still waits: no repair
    const [waiting] = await engine.storage.queues.receive(q, 1, 1);
    await engine.storage.queues.delete(q, waiting!);
    t.now += 61_000;
    await sweepRunning(engine);
    await settle([engine]);
    const again = await engine.storage.queues.receive(q, 10, 1);
    expect(again.map((m) => JSON.parse(m.text).task).sort()).toEqual(["a", "b"]);
    expect((await getStatus(engine, id, true))?.status).toBe("running");
  });

  it("dispatches the roots of a workflow whose first dispatch never happened", async () => {
    const { faults, engine } = await (async () => {
      const { Faults } = await import("./faults.js");
      const f = new Faults();
      return { faults: f, engine: await engineOn(f.wrap(memoryStorage())) };
    })();
    faults.arm("tasks.send");
    const { id } = await submitWorkflow(engine, one());
    await settle([engine]);
    expect(await engine.storage.queues.depth("t-tasks-default")).toBe(0);
    await sweepRunning(engine);
    await settle([engine]);
    expect(await engine.storage.queues.depth("t-tasks-default")).toBe(1);
    expect((await getTasks(engine, id, {}))?.tasks[0]?.status).toBe("ready");
  });
});

describe("flow control per queue", () => {
  it("never fills a task queue past its depth cap; the sweep tops it up once workers drained it", async () => {
    const { t, clock } = clocked();
    const engine = await engineOn(memoryStorage(clock), { clock, maxQueueDepth: 3 });
    const q = engine.names.taskQueue("default");
    const { id } = await submitWorkflow(engine, {
      name: "w",
      tasks: Array.from({ length: 5 }, (_, i) => ({ name: `t${i}`, command: "x" })),
    });
    await submitWorkflow(engine, { name: "v", tasks: [{ name: "u", command: "x" }] });
    await settle([engine]);
    expect(await engine.storage.queues.depth(q)).toBe(3);
    for (const m of await engine.storage.queues.receive(q, 32, 60))
      await engine.storage.queues.delete(q, m);
    t.now += 5000; // past the cached depth's lifetime
    await sweepRunning(engine);
    await settle([engine]);
    expect(await engine.storage.queues.depth(q)).toBe(3);
    const tasks = (await getTasks(engine, id, {}))!.tasks;
    expect(tasks.every((x) => x.status === "ready")).toBe(true);
  });
});

describe("flow control per queue: held workflows and live workers", () => {
  const fanOut = {
    name: "fan",
    tasks: Array.from({ length: 300 }, (_, i) => ({ name: `t${i}`, command: "x" })),
  };

  it("wakes the workflows whose tasks it held as other workflows' reports free room", async () => {
    const { clock } = clocked();
    const engine = await engineOn(memoryStorage(clock), { clock, maxQueueDepth: 32 });
    const q = engine.names.taskQueue("default");
    for (let k = 0; k < 40; k++) await submitWorkflow(engine, one());
    await settle([engine]);
    expect(await engine.storage.queues.depth(q)).toBe(32); // 8 workflows' roots held
    const reports = (await takeTasks(engine, succeedAll, "default", 8)).flat();
    await ingestCompletionMessage(engine, message(reports));
    await settle([engine]);
    // No sweep ran: the held roots went out as the 8 reports freed room.
    expect(await engine.storage.queues.depth(q)).toBe(32);
  });

  it("is not sized by live workers: a queue they serve is capped at maxQueueDepth only", async () => {
    const { clock } = clocked();
    const engine = await engineOn(memoryStorage(clock), { clock, maxQueueDepth: 10_000 });
    for (let w = 0; w < 10; w++) await registerWorker(engine, `w${w}`); // 40 slots
    await submitWorkflow(engine, fanOut);
    await settle([engine]);
    expect(await engine.storage.queues.depth(engine.names.taskQueue("default"))).toBe(300);
  });
});

describe("orphan sweep", () => {
  it("drains an inbox whose lease holder died, once the lease has lapsed", async () => {
    const { t, clock } = clocked();
    const storage = memoryStorage(clock);
    const engine = await engineOn(storage, { clock });
    const { id } = await submitWorkflow(engine, {
      name: "c",
      tasks: [
        { name: "a", command: "x" },
        { name: "b", command: "x", depends_on: ["a"] },
      ],
    });
    await settle([engine]);
    const dead = await storage.blobs.acquireLease(engine.names.headBlob(id), 30); // a crashed holder
    expect(dead).not.toBeNull();
    const r = await ingestCompletionMessage(
      engine,
      message([{ kind: "completed", workflow_id: id, task: "a", attempt: 1 }]),
    );
    expect(r.parked).toBe(1);
    t.now += 61_000;
    const report = await sweepOrphans(engine);
    expect(report.inboxesDrained).toBe(1);
    await settle([engine]);
    expect((await getTasks(engine, id, {}))?.tasks.map((x) => x.status)).toEqual([
      "completed",
      "ready",
    ]);
    expect(await engine.inbox.list(id)).toEqual([]);
  });

  it("removes index rows whose state is gone and discards inboxes of purged workflows", async () => {
    const { t, clock } = clocked();
    const engine = await engineOn(memoryStorage(clock), { clock });
    const { id } = await submitWorkflow(engine, one());
    await settle([engine]);
    await engine.state.purge(id); // state gone, row left behind
    await engine.inbox.put(id, [{ kind: "cancel" }], t.now);
    t.now += 61_000;
    const report = await sweepOrphans(engine);
    expect(report).toMatchObject({ rowsRemoved: 1, inboxesDiscarded: 1 });
    expect(await engine.index.get(id)).toBeNull();
  });
});

describe("admission", () => {
  it("keeps excess workflows pending and admits them FIFO as running ones finish", async () => {
    const { t, clock } = clocked();
    const engine = await engineOn(memoryStorage(clock), { clock, maxRunningWorkflows: 2 });
    const ids: string[] = [];
    for (let k = 0; k < 4; k++) {
      t.now += 1000;
      ids.push((await submitWorkflow(engine, one())).id);
    }
    expect(await admitPending(engine)).toBe(2);
    await settle([engine]);
    expect(
      (await listWorkflows(engine, { status: "running" })).workflows.map((w) => w.id).sort(),
    ).toEqual(ids.slice(0, 2).sort());
    expect(await admitPending(engine)).toBe(0);
    await runToEnd([engine], succeedAll);
    expect(await admitPending(engine)).toBe(2);
    await settle([engine]);
    expect(
      (await listWorkflows(engine, { status: "running" })).workflows.map((w) => w.id).sort(),
    ).toEqual(ids.slice(2).sort());
  });
});
