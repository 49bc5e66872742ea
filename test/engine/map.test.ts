import { describe, expect, it } from "vitest";
import { type Changes, restore, snapshot } from "../../src/core/index.js";
import { verifyCounters } from "../../src/core/summary.js";
import { unframe } from "../../src/engine/codec.js";
import { ingestCompletionMessage } from "../../src/engine/ingest.js";
import { getStatus, getTasks } from "../../src/engine/queries.js";
import { rerunWorkflow } from "../../src/engine/rerun.js";
import { StateStore } from "../../src/engine/stateStore.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { getTaskDetail, getTaskWindow } from "../../src/engine/taskQueries.js";
import { BACKENDS, type Behaviour, engineFor, message, runToEnd, settle } from "./fakeWorld.js";

/** The map through the coordinator, on the in-memory storage and on Azurite. */

const sweep = {
  name: "sweep",
  tasks: [
    { name: "prep/split", command: "x" },
    {
      name: "train",
      command: "x",
      depends_on: ["prep/split"],
      map: 'inputs["prep/split"].shards',
    },
    {
      name: "eval",
      command: "x",
      depends_on: ["train"],
      condition: 'count(inputs["train[*]"].ok) == 4',
    },
  ],
};

/** prep/split gives four shards; train[2] fails on its first attempt; outputs echo the item. */
const behaviour: Behaviour = (m) => {
  if (m.task === "prep/split") return { ok: true, output: { shards: ["a", "b", "c", "d"] } };
  if (m.task === "train[2]" && m.attempt === 1) return { ok: false, error: "flaky" };
  return { ok: true, output: { ok: true, item: m.map_item ?? null, k: m.map_index ?? null } };
};

async function states(engine: Parameters<typeof getTasks>[0], id: string) {
  const page = await getTasks(engine, id, {});
  return Object.fromEntries(page!.tasks.map((t) => [t.name, [t.status, t.attempts]]));
}

describe.each(BACKENDS)("map on %s", (backend) => {
  it("expands in one frame, runs the instances with their items, and reruns the failed one", async () => {
    const { engine, storage } = await engineFor(backend);
    const { id } = await submitWorkflow(engine, sweep);
    await runToEnd([engine], behaviour);
    expect((await getStatus(engine, id, true))?.status).toBe("failed");
    expect(await states(engine, id)).toEqual({
      eval: ["upstream_failed", 0],
      "prep/split": ["completed", 1],
      train: ["failed", 0],
      "train[0]": ["completed", 1],
      "train[1]": ["completed", 1],
      "train[2]": ["failed", 1],
      "train[3]": ["completed", 1],
    });
    const page = await getTasks(engine, id, { prefix: "train[" });
    expect(page?.tasks.map((t) => t.output)).toEqual([
      { ok: true, item: "a", k: 0 },
      { ok: true, item: "b", k: 1 },
      null,
      { ok: true, item: "d", k: 3 },
    ]);
    // The journal holds the expansion once, in one frame, with its items.
    const journal = await storage.blobs.read(engine.names.journalBlob(id, 0));
    const frames = unframe<Changes>(journal!.data).filter((d) => d.x !== undefined);
    expect(frames.map((d) => d.x)).toEqual([[[1, 3, ["a", "b", "c", "d"]]]]);

    // A late duplicate of an instance's report changes nothing.
    const before = (await engine.state.load(id))!.version.journalBytes;
    await ingestCompletionMessage(
      engine,
      message([
        { kind: "completed", workflow_id: id, task: "train[0]", attempt: 1, output: { v: 9 } },
        { kind: "completed", workflow_id: id, task: "train", attempt: 1, output: { v: 9 } },
        { kind: "completed", workflow_id: id, task: "train[9]", attempt: 1, output: { v: 9 } },
      ]),
    );
    await settle([engine]);
    expect((await engine.state.load(id))!.version.journalBytes).toBe(before);

    expect(await rerunWorkflow(engine, id, { tasks: ["prep/split"] })).toEqual({
      kind: "refused",
      why: 'rerunning "prep/split" would change what "train" was mapped from, and a map expands once: rerun its instances (the task "train"), or submit the workflow again',
    });
    expect(await rerunWorkflow(engine, id, { tasks: ["train[7]"] })).toEqual({
      kind: "unknown",
      tasks: ["train[7]"],
    });
    const r = await rerunWorkflow(engine, id, { tasks: ["train"], failed: true });
    expect(r).toMatchObject({ kind: "accepted", tasks: 2 });
    await runToEnd([engine], behaviour);
    expect((await getStatus(engine, id, true))?.status).toBe("completed");
    expect(await states(engine, id)).toMatchObject({
      eval: ["completed", 1],
      train: ["completed", 0],
      "train[2]": ["completed", 2],
    });

    // Queries: the status row counts the instances, a window sorts them, the detail names its map.
    const row = await getStatus(engine, id);
    expect(row?.total).toBe(7);
    expect(row?.counts.completed).toBe(7);
    const window = await getTaskWindow(engine, id, {
      prefix: "train",
      sort: "attempts",
      descending: true,
      limit: 2,
    });
    expect(window?.total).toBe(5);
    expect(window?.tasks.map((t) => t.name)).toEqual(["train[2]", "train[3]"]);
    expect(await getTaskDetail(engine, id, "train[1]")).toMatchObject({
      value: { instance: { of: "train", index: 1, item: "b" }, dependants: { total: 1 } },
    });

    // A cold load (another instance of the app) rebuilds the same state from the blobs.
    const cold = new StateStore(storage.blobs, engine.names);
    const loaded = (await cold.load(id))!;
    expect(snapshot(loaded.run)).toEqual(snapshot((await engine.state.load(id))!.run));
    expect(verifyCounters(loaded.run)).toEqual([]);
  }, 60_000);

  it("keeps the expansion through a compaction", async () => {
    const { engine } = await engineFor(backend, { compactAfter: { bytes: 1, frames: 1 } });
    const { id } = await submitWorkflow(engine, sweep);
    await runToEnd([engine], behaviour);
    const { run, version } = (await engine.state.load(id))!;
    expect(version.gen).toBeGreaterThan(0);
    expect(run.size).toBe(7);
    const again = restore(run.def, id, snapshot(run));
    expect(snapshot(again)).toEqual(snapshot(run));
  });
});
