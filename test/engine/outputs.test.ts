import { describe, expect, it } from "vitest";
import type { Json } from "../../src/core/index.js";
import { ingestCompletionMessage } from "../../src/engine/ingest.js";
import { getTasks } from "../../src/engine/queries.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { MAX_MESSAGE_BYTES, TaskMessageSchema } from "../../src/protocol/messages.js";
import { BACKENDS, engineFor, message, settle } from "./fakeWorld.js";

const pick = {
  name: "pick",
  tasks: [
    { name: "train", command: "x" },
    { name: "deploy", command: "x", depends_on: ["train"], condition: "inputs.train.mae < 0.1" },
  ],
};

describe.each(BACKENDS)("outputs stored in blobs (%s)", (backend) => {
  it("a ref to a blob that is no output never fails the batch; a duplicate's ref is never read", async () => {
    const { engine, storage } = await engineFor(backend);
    const two = await Promise.all([submitWorkflow(engine, pick), submitWorkflow(engine, pick)]);
    const [bad, good] = two.map((s) => s.id);
    // Not JSON at all: the condition reading it cannot be evaluated, and says so, alone.
    const garbage = engine.names.outputBlob(bad!, "train", 1);
    await storage.blobs.write(garbage, Buffer.from("\u0000 not json {"));
    const ref = (path: string) => ({ $dagq: "output-ref", path, bytes: 20_000 });
    const reads: string[] = [];
    const read = storage.blobs.read.bind(storage.blobs);
    storage.blobs.read = (path, opts) => {
      reads.push(path);
      return read(path, opts);
    };
    const completed = (id: string, output: Json) => ({
      kind: "completed" as const,
      workflow_id: id,
      task: "train",
      attempt: 1,
      output,
    });
    await ingestCompletionMessage(
      engine,
      message([completed(bad!, ref(garbage)), completed(good!, { mae: 0.05 })]),
    );
    await settle([engine]);
    const tasksOf = async (id: string) =>
      Object.fromEntries(
        (await getTasks(engine, id, { refs: true }))!.tasks.map((t) => [t.name, t]),
      );
    const b = await tasksOf(bad!);
    expect(b.deploy?.status).toBe("skipped");
    expect(b.deploy?.reason).toMatch(/^condition could not be evaluated/);
    expect((await tasksOf(good!)).deploy?.status).toBe("ready");
    // A duplicate report (the task is done) whose ref names a blob that is no output: never
    // fetched (it once was, and its parse error failed the whole batch).
    reads.length = 0;
    const other = `${engine.names.workflowPrefix(good!)}not-an-output`;
    await storage.blobs.write(other, Buffer.from("{ garbage"));
    await ingestCompletionMessage(engine, message([completed(good!, ref(other))]));
    await settle([engine]);
    expect(reads).not.toContain(other);
    expect((await tasksOf(good!)).train?.output).toEqual({ mae: 0.05 });
    storage.blobs.read = read;
  });

  it("a condition reads a spilled output's real value; the state keeps the ref", async () => {
    const { engine, storage } = await engineFor(backend);
    const { id } = await submitWorkflow(engine, pick);
    const path = engine.names.outputBlob(id, "train", 1);
    await storage.blobs.write(
      path,
      Buffer.from(JSON.stringify({ mae: 0.05, weights: "x".repeat(20_000) })),
    );
    const ref = { $dagq: "output-ref", path, bytes: 20_020 };
    await ingestCompletionMessage(
      engine,
      message([{ kind: "completed", workflow_id: id, task: "train", attempt: 1, output: ref }]),
    );
    await settle([engine]);
    const tasks = (await getTasks(engine, id, { refs: true }))!.tasks;
    expect(tasks.map((t) => [t.name, t.status])).toEqual([
      ["deploy", "ready"],
      ["train", "completed"],
    ]);
    expect(tasks[1]!.output).toEqual(ref);
  });

  it("a missing output blob skips the reading task with the reason", async () => {
    const { engine } = await engineFor(backend);
    const { id } = await submitWorkflow(engine, pick);
    const ref = { $dagq: "output-ref", path: engine.names.outputBlob(id, "train", 1), bytes: 99 };
    await ingestCompletionMessage(
      engine,
      message([{ kind: "completed", workflow_id: id, task: "train", attempt: 1, output: ref }]),
    );
    await settle([engine]);
    const deploy = (await getTasks(engine, id, { prefix: "deploy" }))!.tasks[0]!;
    expect(deploy.status).toBe("skipped");
    expect(deploy.reason).toMatch(/^condition could not be evaluated: inputs\.train\.mae/);
  });

  it("a many-parent fan-in gets its inputs through one blob, and the message stays small", async () => {
    // 10,000 parents in memory; 3,000 (inputs of ~100 KB, still twice a message) on Azurite,
    // whose sends are slow enough that 10,000 dispatches would take most of this test's time.
    const n = backend === "memory" ? 10_000 : 3_000;
    const { engine, storage } = await engineFor(backend, { coordinator: { maxInFlight: n } });
    const leaves = Array.from({ length: n }, (_, i) => `leaf/${i}`);
    const { id } = await submitWorkflow(engine, {
      name: "fan-in",
      tasks: [
        ...leaves.map((name) => ({ name, command: "x" })),
        { name: "join", command: "x", depends_on: leaves },
      ],
    });
    const q = engine.names.taskQueue("default");
    // Only a dispatched attempt's report counts: every leaf is dispatched, then its message
    // dropped here (the test plays the workers), so the join's message is the one left.
    await storage.queues.clear(q);
    for (let k = 0; k < leaves.length; k += 1000) {
      const batch = leaves.slice(k, k + 1000).map((task) => ({
        kind: "completed" as const,
        workflow_id: id,
        task,
        attempt: 1,
        output: { score: k },
      }));
      await ingestCompletionMessage(engine, message(batch));
    }
    await settle([engine]);
    let joinMsg: string | undefined;
    for (
      let got = await storage.queues.receive(q, 32, 60);
      got.length > 0;
      got = await storage.queues.receive(q, 32, 60)
    ) {
      joinMsg ??= got.find((m) => JSON.parse(m.text).task === "join")?.text;
    }
    expect(joinMsg).toBeDefined();
    expect(Buffer.byteLength(joinMsg!)).toBeLessThan(MAX_MESSAGE_BYTES);
    const msg = TaskMessageSchema.parse(JSON.parse(joinMsg!));
    expect(msg.inputs).toBeUndefined();
    const inputs = JSON.parse(
      Buffer.from((await storage.blobs.read(msg.inputs_ref!))!.data).toString(),
    );
    expect(Object.keys(inputs)).toHaveLength(n);
    expect(inputs[`leaf/${n - 1}`]).toEqual({ score: Math.floor((n - 1) / 1000) * 1000 });
  });
});
