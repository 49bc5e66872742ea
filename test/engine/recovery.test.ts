import { describe, expect, it } from "vitest";
import { ingestCompletionMessage } from "../../src/engine/ingest.js";
import { getStatus, getTasks } from "../../src/engine/queries.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { memoryStorage } from "../../src/memory/memoryStorage.js";
import { ConflictError } from "../../src/storage/ports.js";
import {
  BACKENDS,
  type Backend,
  engineOn,
  message,
  runToEnd,
  settle,
  storageFor,
  succeedAll,
  takeTasks,
} from "./fakeWorld.js";
import { Faults } from "./faults.js";

/** The seed's recovery catalogue, each as a test against the engine on in-memory storage. */

const chain = {
  name: "chain",
  tasks: [
    { name: "a", command: "x" },
    { name: "b", command: "x", depends_on: ["a"] },
  ],
};

async function faulty(backend: Backend) {
  const faults = new Faults();
  const { storage, prefix } = storageFor(backend);
  const engine = await engineOn(faults.wrap(storage), { prefix });
  return { faults, storage, engine };
}

const completed = (id: string, task: string, attempt = 1, output: unknown = { ok: true }) =>
  message([{ kind: "completed", workflow_id: id, task, attempt, output: output as never }]);

async function queued(
  engine: Awaited<ReturnType<typeof engineOn>>,
  queue = "default",
): Promise<string[]> {
  const msgs = await engine.storage.queues.receive(engine.names.taskQueue(queue), 32, 1);
  for (const m of msgs) await engine.storage.queues.release(engine.names.taskQueue(queue), m, 0);
  return msgs.map((m) => `${JSON.parse(m.text).task}#${JSON.parse(m.text).attempt}`).sort();
}

describe.each(BACKENDS)("recovery catalogue on %s", (backend) => {
  it("crash before the state write (after dispatch): redelivery re-dispatches the same attempt, nothing lost", async () => {
    const { faults, engine } = await faulty(backend);
    const { id } = await submitWorkflow(engine, chain);
    await takeTasks(engine, () => ({ ok: true }));
    faults.arm("blobs.append");
    await expect(ingestCompletionMessage(engine, completed(id, "a"))).rejects.toThrow(
      "injected fault: blobs.append",
    );
    expect(await queued(engine)).toEqual(["b#1"]); // dispatched before the write
    await ingestCompletionMessage(engine, completed(id, "a")); // the queue redelivers the message
    expect(await queued(engine)).toEqual(["b#1", "b#1"]); // same attempt: a duplicate run at most
    await runToEnd([engine], succeedAll);
    expect((await getStatus(engine, id, true))?.status).toBe("completed");
  });

  it("crash after the write, before the ack: the redelivered message changes nothing", async () => {
    const { engine } = await faulty(backend);
    const { id } = await submitWorkflow(engine, chain);
    await takeTasks(engine, () => ({ ok: true }));
    await ingestCompletionMessage(engine, completed(id, "a"));
    await ingestCompletionMessage(engine, completed(id, "a"));
    expect(await queued(engine)).toEqual(["b#1"]);
    expect(engine.stats.counter("events.ignored")).toBe(1);
  });

  it("a stale attempt's late completion is ignored", async () => {
    const { engine } = await faulty(backend);
    const { id } = await submitWorkflow(engine, {
      name: "r",
      defaults: { retry_backoff_s: 0 },
      tasks: [{ name: "a", command: "x", num_retries: 1 }],
    });
    await takeTasks(engine, () => ({ ok: true }));
    await ingestCompletionMessage(
      engine,
      message([{ kind: "failed", workflow_id: id, task: "a", attempt: 1, error: "exit code 1" }]),
    );
    await ingestCompletionMessage(engine, completed(id, "a", 1, "late"));
    await settle([engine]);
    const t = await getTasks(engine, id, {});
    expect(t?.tasks[0]).toMatchObject({
      status: "ready",
      attempts: 1,
      reason: "attempt 1 failed: exit code 1",
    });
    expect(await queued(engine)).toEqual(["a#2"]);
  });

  it("a dispatch failure writes nothing; the redelivery dispatches and writes", async () => {
    const { faults, engine } = await faulty(backend);
    const { id } = await submitWorkflow(engine, chain);
    await takeTasks(engine, () => ({ ok: true }));
    faults.arm("tasks.send");
    await expect(ingestCompletionMessage(engine, completed(id, "a"))).rejects.toThrow(
      "injected fault",
    );
    await settle([engine]);
    expect((await getTasks(engine, id, {}))?.tasks.map((t) => t.status)).toEqual([
      "ready",
      "pending",
    ]);
    await ingestCompletionMessage(engine, completed(id, "a"));
    expect(await queued(engine)).toEqual(["b#1"]);
  });

  it("an index write failure does not fail the batch; the row catches up later", async () => {
    const { faults, engine } = await faulty(backend);
    const { id } = await submitWorkflow(engine, chain);
    await takeTasks(engine, () => ({ ok: true }));
    await settle([engine]);
    faults.arm("tables.upsert");
    await ingestCompletionMessage(engine, completed(id, "a"));
    expect(engine.stats.counter("index.write_errors")).toBe(1);
    expect(await queued(engine)).toEqual(["b#1"]);
    await runToEnd([engine], succeedAll);
    expect((await getStatus(engine, id))?.status).toBe("completed");
  });

  it.runIf(backend === "memory")(
    "a lease lapse with another writer in between: the late writer's append conflicts, it reloads and re-applies",
    async () => {
      let now = 1_800_000_000_000;
      let paused = 0; // how far behind a's own clock falls, as during a long GC pause
      const clock = () => now;
      const storage = memoryStorage(clock);
      const a = await engineOn(storage, {
        clock: () => now - paused,
        coordinator: { lingerMs: 60_000 },
      });
      const b = await engineOn(storage, { clock });
      const { id } = await submitWorkflow(a, {
        name: "p",
        tasks: [
          { name: "x", command: "x" },
          { name: "y", command: "x" },
          { name: "z", command: "x", depends_on: ["x", "y"] },
        ],
      });
      await takeTasks(a, () => ({ ok: true }));
      expect(a.coordinator.held()).toEqual([id]); // a lingers with the lease (and its cached state)
      now += 31_000; // a's lease lapses, and a does not notice: no time passed on its clock
      paused = 31_000;
      await ingestCompletionMessage(b, completed(id, "x"));
      await b.coordinator.flush();
      await ingestCompletionMessage(a, completed(id, "y")); // a's append conflicts: reload, re-apply
      expect(a.stats.counter("lease.conflicts")).toBe(1);
      await settle([a, b]);
      expect((await getTasks(a, id, {}))?.tasks.map((t) => `${t.name}:${t.status}`)).toEqual([
        "x:completed",
        "y:completed",
        "z:ready",
      ]);
      expect(await queued(a)).toEqual(["z#1"]);
    },
  );

  it("an append conflict while the lease is still ours: reload, re-apply, no lock-out", async () => {
    const { faults, engine } = await faulty(backend);
    const { id } = await submitWorkflow(engine, chain);
    await takeTasks(engine, () => ({ ok: true }));
    faults.arm("blobs.append", 1, () => new ConflictError("ETAG_MISMATCH", "injected"));
    const r = await ingestCompletionMessage(engine, completed(id, "a"));
    expect(r).toMatchObject({ applied: 1, parked: 0 });
    expect(engine.stats.counter("lease.conflicts")).toBe(1);
    expect(await queued(engine)).toEqual(["b#1", "b#1"]); // dispatched by both tries, same attempt
    await settle([engine]);
    expect((await getTasks(engine, id, {}))?.tasks.map((t) => t.status)).toEqual([
      "completed",
      "ready",
    ]);
  });

  it("a workflow purged mid-run: later completions are dropped, nothing is resurrected", async () => {
    const { engine } = await faulty(backend);
    const { id } = await submitWorkflow(engine, chain);
    await takeTasks(engine, () => ({ ok: true }));
    const { purgeWorkflow } = await import("../../src/engine/purge.js");
    expect(await purgeWorkflow(engine, id)).toEqual({ existed: true, done: true });
    const r = await ingestCompletionMessage(engine, completed(id, "a"));
    expect(r.dropped).toBe(1);
    expect(await getStatus(engine, id)).toBeNull();
    expect(await engine.storage.blobs.read(engine.names.headBlob(id))).toBeNull();
  });

  it("cancel while another instance holds the lease is parked and applied; workers see it in the signals blob", async () => {
    const { storage, prefix } = storageFor(backend);
    const a = await engineOn(storage, { prefix, coordinator: { lingerMs: 200 } });
    const b = await engineOn(storage, { prefix });
    const { id } = await submitWorkflow(a, chain);
    const { cancelWorkflow } = await import("../../src/engine/cancel.js");
    expect(await cancelWorkflow(b, id, "stop")).toBe("parked");
    await settle([a, b]);
    expect((await getStatus(a, id, true))?.status).toBe("cancelled");
    const signals = await storage.blobs.read(a.names.signalsBlob(id));
    expect(JSON.parse(Buffer.from(signals!.data).toString())).toEqual({
      cancelled: true,
      reason: "stop",
      kill: [],
    });
  });
});

describe("a lease holder that dies with events parked for it", () => {
  it("another instance takes the lease once it lapses and applies them, without waiting for the orphan sweep", async () => {
    let now = 1_000_000;
    const clock = () => now;
    const storage = memoryStorage(clock);
    // A keeps the lease for ten minutes of idling, never lets go and never looks for parked
    // events: it stands for a host that was killed while it held the workflow.
    const a = await engineOn(storage, {
      clock,
      coordinator: { lingerMs: 600_000, inboxPollMs: 600_000 },
    });
    const b = await engineOn(storage, { clock, coordinator: { parkWatchMs: 20 } });
    const { id } = await submitWorkflow(a, chain);
    await a.coordinator.apply(id, []);
    expect(a.coordinator.held()).toEqual([id]);
    const [reports] = await takeTasks(a, () => ({ ok: true }));
    const [started, done] = reports!;
    const r = await ingestCompletionMessage(b, message([started!, done!]));
    expect(r).toMatchObject({ parked: 2 });
    // The last running task reported: nothing else will come for this workflow.
    await new Promise((r) => setTimeout(r, 100));
    expect((await getTasks(b, id, {}))?.tasks.map((t) => t.status)).toEqual(["ready", "pending"]);
    now += 16_000; // A's lease lapses
    const deadline = Date.now() + 5000;
    while ((await getTasks(b, id, {}))?.tasks[0]?.status !== "completed") {
      if (Date.now() > deadline) throw new Error("the parked report was never applied");
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await getTasks(b, id, {}))?.tasks.map((t) => t.status)).toEqual(["completed", "ready"]);
    await settle([b]);
  });
});
