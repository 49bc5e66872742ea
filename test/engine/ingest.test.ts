import { describe, expect, it } from "vitest";
import { compileDefinition } from "../../src/core/index.js";
import { ingestCompletionMessage } from "../../src/engine/ingest.js";
import { getStatus, getTasks } from "../../src/engine/queries.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import {
  BACKENDS,
  engineFor,
  engineOn,
  message,
  runToEnd,
  settle,
  storageFor,
  succeedAll,
} from "./fakeWorld.js";
import { runLocalReference } from "./reference.js";

const diamond = {
  name: "diamond",
  tasks: [
    { name: "prep/a", command: "x" },
    { name: "train/b", command: "x", depends_on: ["prep/a"] },
    { name: "train/c", command: "x", depends_on: ["prep/a"] },
    {
      name: "eval/d",
      command: "x",
      depends_on: ["train/b", "train/c"],
      condition: 'inputs["train/b"].attempt == 1',
    },
  ],
};

describe.each(BACKENDS)("submit and ingest on %s", (backend) => {
  it("runs a workflow to completion through queues, journal and index", async () => {
    const { engine } = await engineFor(backend);
    const { id, status } = await submitWorkflow(engine, diamond);
    expect(status).toBe("running");
    await runToEnd([engine], succeedAll);
    const s = await getStatus(engine, id, true);
    expect(s).toMatchObject({ status: "completed", total: 4, counts: { completed: 4 } });
    const row = await getStatus(engine, id);
    expect(row).toMatchObject({ status: "completed", counts: { completed: 4 } });
    const tasks = await getTasks(engine, id, { prefix: "train/" });
    expect(tasks?.tasks.map((t) => [t.name, t.status, t.output])).toEqual([
      ["train/b", "completed", { task: "train/b", attempt: 1, ok: true }],
      ["train/c", "completed", { task: "train/c", attempt: 1, ok: true }],
    ]);
    expect(engine.coordinator.held()).toEqual([]);
  });

  it("rejects a malformed completion to the poison queue without losing the valid ones beside it", async () => {
    const { engine, storage } = await engineFor(backend);
    const { id } = await submitWorkflow(engine, {
      name: "one",
      tasks: [{ name: "a", command: "x" }],
    });
    const good = {
      kind: "completed",
      workflow_id: id,
      task: "a",
      attempt: 1,
      output: { ok: true },
    };
    const bad = { kind: "completed", workflow_id: id, task: "a b", attempt: 0 };
    const r = await ingestCompletionMessage(
      engine,
      JSON.stringify({ v: 1, completions: [bad, good] }),
    );
    expect(r).toMatchObject({ applied: 1, rejected: 1 });
    const poison = await storage.queues.receive(
      engine.names.poisonQueue(engine.names.completionQueue),
      10,
      30,
    );
    expect(poison).toHaveLength(1);
    const record = JSON.parse(poison[0]!.text);
    expect(record).toEqual({
      reason: expect.stringMatching(/^completions\[0\]:.*task names/s),
      source_queue: engine.names.completionQueue,
      message: JSON.stringify({ v: 1, completions: [bad, good] }),
      at: new Date(record.at).toISOString(),
    });
    expect((await ingestCompletionMessage(engine, "{not json")).rejected).toBe(1);
    await settle([engine]);
    expect((await getStatus(engine, id, true))?.status).toBe("completed");
  });

  it("sets aside a malformed message of nearly 64 KiB of multi-byte text within the queue limit", async () => {
    const { engine, storage } = await engineFor(backend);
    // Two malformed reports (attempt 0) carrying 4-byte characters: a valid queue message just
    // under 64 KiB, which no poison record can hold whole next to its reason.
    const bad = (task: string) => ({
      kind: "completed",
      workflow_id: "mwzdv4el-f00c3277ea",
      task,
      attempt: 0,
      output: "😀".repeat(8_140),
    });
    const text = JSON.stringify({ v: 1, completions: [bad("a"), bad("b")] });
    const size = new TextEncoder().encode(text).length;
    expect(size).toBeGreaterThan(65_536 - 400);
    expect(size).toBeLessThanOrEqual(65_536);
    expect((await ingestCompletionMessage(engine, text)).rejected).toBe(2);
    const [p] = await storage.queues.receive(
      engine.names.poisonQueue(engine.names.completionQueue),
      1,
      30,
    );
    expect(new TextEncoder().encode(p!.text).length).toBeLessThanOrEqual(65_536);
    const record = JSON.parse(p!.text);
    expect(record.truncated).toBe(true);
    expect(record.reason).toMatch(/^completions\[0\]:.*\ncompletions\[1\]:/s);
    // Azurite decodes a request body over 64 KiB chunk by chunk and turns a character split at
    // the chunk's end into U+FFFD, so near its end the record can differ there (not on Azure).
    const kept = backend === "memory" ? record.message : record.message.slice(0, 30_000);
    expect(text.startsWith(kept)).toBe(true);
    expect(record.message.length).toBeGreaterThan(text.length - 400);
  });

  it("drops completions for a workflow that does not exist, and says so", async () => {
    const { engine } = await engineFor(backend);
    const r = await ingestCompletionMessage(
      engine,
      message([{ kind: "completed", workflow_id: "nope-123", task: "a", attempt: 1 }]),
    );
    expect(r).toMatchObject({ applied: 0, dropped: 1 });
  });

  it("applies a duplicate completion once", async () => {
    const { engine } = await engineFor(backend);
    const { id } = await submitWorkflow(engine, {
      name: "two",
      tasks: [
        { name: "a", command: "x" },
        { name: "b", command: "x", depends_on: ["a"] },
      ],
    });
    const done = message([
      { kind: "completed", workflow_id: id, task: "a", attempt: 1, output: 1 },
    ]);
    await Promise.all([
      ingestCompletionMessage(engine, done),
      ingestCompletionMessage(engine, done),
    ]);
    await ingestCompletionMessage(engine, done);
    await settle([engine]);
    expect(await engine.storage.queues.depth(engine.names.taskQueue("default"))).toBe(2); // a, then b once
    expect(engine.stats.counter("events.ignored")).toBe(2);
  });
});

describe.each(BACKENDS)("several instances on one storage (%s)", (backend) => {
  it("ingesting the same workflows at once loses nothing, applies nothing twice, and matches run-local", async () => {
    const { storage, prefix } = storageFor(backend);
    const engines = [
      await engineOn(storage, { prefix }),
      await engineOn(storage, { prefix }),
      await engineOn(storage, { prefix }),
    ];
    const def = {
      name: "wide",
      tasks: [
        { name: "root", command: "x" },
        ...Array.from({ length: 60 }, (_, i) => ({
          name: `leaf/${i}`,
          command: "x",
          depends_on: ["root"],
        })),
        {
          name: "join",
          command: "x",
          depends_on: Array.from({ length: 60 }, (_, i) => `leaf/${i}`),
          condition: 'count(inputs["leaf/*"].ok) == 60',
        },
      ],
    };
    const ids = [
      (await submitWorkflow(engines[0]!, def)).id,
      (await submitWorkflow(engines[1]!, def)).id,
    ];
    await runToEnd(engines, succeedAll, (k) => k % 3);
    const expected = runLocalReference(compileDefinition(def), succeedAll);
    for (const id of ids) {
      const tasks = await getTasks(engines[2]!, id, {});
      expect(
        Object.fromEntries(tasks!.tasks.map((t) => [t.name, [t.status, t.attempts, t.output]])),
      ).toEqual(expected);
    }
    expect(engines.reduce((n, e) => n + e.stats.counter("inbox.parked"), 0)).toBeGreaterThan(0);
  });
});
