import { describe, expect, it } from "vitest";
import { cancelWorkflow } from "../../src/engine/cancel.js";
import { getStatus, getTasks } from "../../src/engine/queries.js";
import { rerunWorkflow } from "../../src/engine/rerun.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { SignalsSchema } from "../../src/protocol/signals.js";
import { BACKENDS, type Behaviour, engineFor, runToEnd, settle, takeTasks } from "./fakeWorld.js";

/** The rerun use case through the coordinator, on the in-memory storage and on Azurite. */

const pipeline = {
  name: "pipe",
  tasks: [
    { name: "prep", command: "x" },
    { name: "train/a", command: "x", depends_on: ["prep"] },
    { name: "train/b", command: "x", depends_on: ["prep"] },
    { name: "eval", command: "x", depends_on: ["train/a", "train/b"] },
  ],
};

/** train/b fails on its first attempt only; everything else succeeds. */
const flaky: Behaviour = (m) =>
  m.task === "train/b" && m.attempt === 1
    ? { ok: false, error: "out of memory" }
    : { ok: true, output: { task: m.task, attempt: m.attempt } };

async function tasksOf(engine: Parameters<typeof getTasks>[0], id: string) {
  const page = await getTasks(engine, id, {});
  return Object.fromEntries(page!.tasks.map((t) => [t.name, [t.status, t.attempts, t.output]]));
}

describe.each(BACKENDS)("rerun on %s", (backend) => {
  it("reruns the failed task and what it held up; completed ones keep their outputs", async () => {
    const { engine } = await engineFor(backend);
    const { id } = await submitWorkflow(engine, pipeline);
    await runToEnd([engine], flaky);
    expect((await getStatus(engine, id, true))?.status).toBe("failed");
    const before = (await engine.state.load(id))!.version;

    const r = await rerunWorkflow(engine, id, {});
    expect(r).toEqual({ kind: "accepted", outcome: "applied", tasks: 2 });
    await settle([engine]);
    const row = await getStatus(engine, id);
    expect(row?.status).toBe("running");
    expect(row?.finishedAt).toBeNull();
    // One journal frame for the rerun.
    const after = (await engine.state.load(id))!.version;
    expect(after.journalFrames).toBe(before.journalFrames + 1);

    await runToEnd([engine], flaky);
    expect((await getStatus(engine, id))?.status).toBe("completed");
    expect(await tasksOf(engine, id)).toEqual({
      prep: ["completed", 1, { task: "prep", attempt: 1 }],
      "train/a": ["completed", 1, { task: "train/a", attempt: 1 }],
      "train/b": ["completed", 2, { task: "train/b", attempt: 2 }],
      eval: ["completed", 1, { task: "eval", attempt: 1 }],
    });
  });

  it("refuses what cannot rerun, with the reason; unknown names and workflows", async () => {
    const { engine } = await engineFor(backend);
    const { id } = await submitWorkflow(engine, pipeline);
    await runToEnd([engine], () => ({ ok: true }));
    expect(await rerunWorkflow(engine, id, {})).toEqual({
      kind: "refused",
      why: "the workflow is completed: only failed, cancelled and running ones rerun",
    });
    expect(await rerunWorkflow(engine, id, { tasks: ["nope", "prep"] })).toEqual({
      kind: "unknown",
      tasks: ["nope"],
    });
    expect(await rerunWorkflow(engine, "zzz-0000000000", {})).toEqual({ kind: "gone" });
  });

  it("reopens a cancelled workflow: the signal is withdrawn, old attempts stay killed", async () => {
    const { engine } = await engineFor(backend);
    const { id } = await submitWorkflow(engine, pipeline);
    await settle([engine]);
    expect(await cancelWorkflow(engine, id, "stop")).toBe("applied");
    const signals = async () => {
      const blob = await engine.storage.blobs.read(engine.names.signalsBlob(id));
      return SignalsSchema.parse(JSON.parse(Buffer.from(blob!.data).toString("utf8")));
    };
    expect((await signals()).cancelled).toBe(true);
    // The cancelled attempt's message is still in the queue.
    const stale = await engine.storage.queues.depth(engine.names.taskQueue("default"));
    expect(stale).toBe(1);

    const r = await rerunWorkflow(engine, id, {});
    expect(r).toMatchObject({ kind: "accepted", tasks: 4 });
    expect(await signals()).toEqual({ cancelled: false, kill: ["prep#1"] });
    // The new attempt waits out workers' cached "cancelled" before it shows.
    expect(await engine.storage.queues.depth(engine.names.taskQueue("default"))).toBe(2);
    const now = await takeTasks(engine, () => ({ ok: true }));
    expect(now.map((c) => `${c[0]!.task}#${c[0]!.attempt}`)).toEqual(["prep#1"]);
    await new Promise((r) => setTimeout(r, 2100));
    await runToEnd([engine], () => ({ ok: true }));
    expect((await getStatus(engine, id))?.status).toBe("completed");
    // Attempt 1 was dispatched before the cancel: the rerun ran attempt 2.
    expect((await tasksOf(engine, id)).prep?.slice(0, 2)).toEqual(["completed", 2]);
  });
});
