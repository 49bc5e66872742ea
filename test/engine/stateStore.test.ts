import { describe, expect, it } from "vitest";
import { applyEvents, compileDefinition, createRun, snapshot } from "../../src/core/index.js";
import { packJson } from "../../src/engine/codec.js";
import { getTasks } from "../../src/engine/queries.js";
import { StateStore } from "../../src/engine/stateStore.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { memoryStorage } from "../../src/memory/memoryStorage.js";
import { layout } from "../../src/storage/layout.js";
import { type BlobStore, ConflictError } from "../../src/storage/ports.js";
import { engineOn, runToEnd, succeedAll } from "./fakeWorld.js";

const names = layout("t");
const def = compileDefinition({
  name: "s",
  tasks: Array.from({ length: 50 }, (_, i) => ({
    name: `t${i}`,
    command: "x",
    depends_on: i ? [`t${i - 1}`] : [],
  })),
});

describe("StateStore", () => {
  it("compiles a definition it stored without parsing it again; an older one is parsed", async () => {
    const storage = memoryStorage();
    await storage.blobs.ensure();
    const store = new StateStore(storage.blobs, names);
    await store.create("w1", def, createRun(def, "w1", 1000).run);
    const blob = await storage.blobs.read(names.definitionBlob("w1"));
    expect(blob!.metadata.dagqschema).toMatch(/^[0-9a-f]{16}$/);
    // As an older version stored it: no schema tag, and keys that did not exist then missing.
    const { result_policy: _, ...older } = def.definition;
    await storage.blobs.write(names.definitionBlob("w2"), packJson(older));
    const cold = new StateStore(storage.blobs, names);
    const [mine, theirs] = [await cold.definition("w1"), await cold.definition("w2")];
    expect(mine!.definition).toEqual(def.definition);
    expect(theirs!.definition).toEqual(def.definition); // defaults applied by the parse
  });

  it("a journal tail that does not parse drops the read cache's entry and loads in full", async () => {
    const storage = memoryStorage();
    await storage.blobs.ensure();
    const { run } = createRun(def, "w1", 1000);
    const writer = new StateStore(storage.blobs, names);
    let version = await writer.create("w1", def, run);
    let garble = false;
    // A storage restart under a running host: one tail read comes back cut in the middle.
    const flaky: BlobStore = Object.create(storage.blobs);
    flaky.read = async (path, opts) => {
      const blob = await storage.blobs.read(path, opts);
      if (!garble || !blob || opts?.offset === undefined) return blob;
      garble = false;
      return { ...blob, data: blob.data.subarray(0, Math.max(1, blob.data.length - 3)) };
    };
    const reader = new StateStore(flaky, names);
    expect((await reader.loadForRead("w1"))!.run.status[0]).toBe(1);
    for (let i = 0; i < 3; i++) {
      const t = applyEvents(run, [{ kind: "completed", task: i, attempt: 1 }], 2000 + i);
      version = await writer.append("w1", version, t.delta);
    }
    garble = true;
    const fresh = await reader.loadForRead("w1");
    expect(snapshot(fresh!.run)).toEqual(snapshot(run));
    // And it keeps working incrementally afterwards.
    const t = applyEvents(run, [{ kind: "completed", task: 3, attempt: 1 }], 3000);
    await writer.append("w1", version, t.delta);
    expect(snapshot((await reader.loadForRead("w1"))!.run)).toEqual(snapshot(run));
  });

  it("a journal written anew under the read cache, shorter than before, is loaded in full", async () => {
    const storage = memoryStorage();
    await storage.blobs.ensure();
    const { run } = createRun(def, "w1", 1000);
    const writer = new StateStore(storage.blobs, names);
    const created = await writer.create("w1", def, run);
    let version = created;
    for (let i = 0; i < 3; i++) {
      const t = applyEvents(run, [{ kind: "completed", task: i, attempt: 1 }], 2000 + i);
      version = await writer.append("w1", version, t.delta);
    }
    const reader = new StateStore(storage.blobs, names);
    expect((await reader.loadForRead("w1"))!.run.status[2]).toBe(3);
    // An emulator restart that lost acknowledged writes: the journal is back to one frame, and
    // the host goes on from there with another history.
    const journal = names.journalBlob("w1", 0);
    await storage.blobs.delete(journal);
    const again = createRun(def, "w1", 1000).run;
    const t = applyEvents(again, [{ kind: "started", task: 0, attempt: 1 }], 2000);
    const restarted = { ...created, journalEtag: (await storage.blobs.createAppend(journal))! };
    await writer.append("w1", restarted, t.delta);
    expect(snapshot((await reader.loadForRead("w1"))!.run)).toEqual(snapshot(again));
  });

  it("reads and compiles a definition once for concurrent first reads", async () => {
    const storage = memoryStorage();
    await storage.blobs.ensure();
    await new StateStore(storage.blobs, names).create("w1", def, createRun(def, "w1", 1000).run);
    let reads = 0;
    // The memory store's other methods, with reads of the definition counted.
    const counting: BlobStore = Object.create(storage.blobs);
    counting.read = (path, opts) => {
      if (path === names.definitionBlob("w1")) reads++;
      return storage.blobs.read(path, opts);
    };
    // A fresh store, as on another instance: a dashboard's first view asks twice at once.
    const cold = new StateStore(counting, names);
    const [a, b] = await Promise.all([cold.loadForRead("w1"), cold.loadForRead("w1")]);
    expect(a!.run.def).toBe(b!.run.def);
    expect(reads).toBe(1);
  });

  it("keeps compiled definitions by their tasks, not their number: 200 small ones stay cached", async () => {
    const storage = memoryStorage();
    await storage.blobs.ensure();
    let reads = 0;
    const counting: BlobStore = Object.create(storage.blobs);
    counting.read = (path, opts) => {
      if (path.endsWith("/definition.json.gz")) reads++;
      return storage.blobs.read(path, opts);
    };
    const ids = Array.from({ length: 200 }, (_, k) => `w${k}`);
    const writer = new StateStore(storage.blobs, names);
    for (const id of ids) await writer.create(id, def, createRun(def, id, 1000).run);
    const store = new StateStore(counting, names);
    for (const id of ids) await store.definition(id);
    expect(reads).toBe(200);
    for (const id of ids) await store.definition(id);
    expect(reads).toBe(200); // the old limit, 64 definitions, read 200 again
    // A budget of tasks: only the most recent that fit stay.
    const small = new StateStore(counting, names, undefined, def.tasks.length * 3);
    for (const id of ids.slice(0, 5)) await small.definition(id);
    reads = 0;
    for (const id of ids.slice(2, 5)) await small.definition(id);
    expect(reads).toBe(0);
    await small.definition(ids[0]!);
    expect(reads).toBe(1);
  });

  it("rebuilds the exact state from snapshot + journal, and refuses a second create", async () => {
    const storage = memoryStorage();
    await storage.blobs.ensure();
    const store = new StateStore(storage.blobs, names);
    const { run } = createRun(def, "w1", 1000);
    let version = await store.create("w1", def, run);
    for (let i = 0; i < 20; i++) {
      const t = applyEvents(
        run,
        [{ kind: "completed", task: i, attempt: 1, output: { i } }],
        2000 + i,
      );
      version = await store.append("w1", version, t.delta);
    }
    const loaded = await store.load("w1");
    expect(snapshot(loaded!.run)).toEqual(snapshot(run));
    expect(loaded!.version.journalFrames).toBe(20);
    await expect(store.create("w1", def, run)).rejects.toBeInstanceOf(ConflictError);
  });

  it("a writer with a stale journal ETag cannot append", async () => {
    const storage = memoryStorage();
    await storage.blobs.ensure();
    const store = new StateStore(storage.blobs, names);
    const { run } = createRun(def, "w2", 1000);
    const v0 = await store.create("w2", def, run);
    const t = applyEvents(run, [{ kind: "completed", task: 0, attempt: 1 }], 2000);
    await store.append("w2", v0, t.delta);
    await expect(store.append("w2", v0, t.delta)).rejects.toMatchObject({ code: "ETAG_MISMATCH" });
  });

  it("compaction folds the journal into a new generation; a sealed journal refuses late appends", async () => {
    const storage = memoryStorage();
    await storage.blobs.ensure();
    const store = new StateStore(storage.blobs, names, { bytes: 1 << 20, frames: 5 });
    const { run } = createRun(def, "w3", 1000);
    let version = await store.create("w3", def, run);
    const leaseId = (await store.acquireLease("w3", 30))!;
    for (let i = 0; i < 6; i++)
      version = await store.append(
        "w3",
        version,
        applyEvents(run, [{ kind: "completed", task: i, attempt: 1 }], 2000 + i).delta,
      );
    expect(store.needsCompaction(version)).toBe(true);
    const stale = version;
    version = await store.compact("w3", version, run, leaseId);
    expect(version).toMatchObject({ gen: 1, journalFrames: 0 });
    expect(await storage.blobs.read(names.journalBlob("w3", 0))).toBeNull();
    await expect(store.append("w3", stale, applyEvents(run, [], 3000).delta)).rejects.toBeDefined();
    version = await store.append(
      "w3",
      version,
      applyEvents(run, [{ kind: "completed", task: 6, attempt: 1 }], 3001).delta,
    );
    const loaded = await store.load("w3");
    expect(snapshot(loaded!.run)).toEqual(snapshot(run));
    await store.releaseLease("w3", leaseId);
  });

  it("a compaction that crashed after sealing is finished by the next writer", async () => {
    const storage = memoryStorage();
    await storage.blobs.ensure();
    const store = new StateStore(storage.blobs, names);
    const { run } = createRun(def, "w4", 1000);
    let version = await store.create("w4", def, run);
    version = await store.append(
      "w4",
      version,
      applyEvents(run, [{ kind: "completed", task: 0, attempt: 1 }], 2000).delta,
    );
    await storage.blobs.setMetadata(
      names.journalBlob("w4", 0),
      { sealed: "1" },
      { ifMatch: version.journalEtag },
    );
    const loaded = (await store.load("w4"))!;
    expect(loaded.version.sealed).toBe(true);
    await expect(
      store.append("w4", loaded.version, applyEvents(loaded.run, [], 3000).delta),
    ).rejects.toMatchObject({ code: "ETAG_MISMATCH" });
    const leaseId = (await store.acquireLease("w4", 30))!;
    const next = await store.compact("w4", loaded.version, loaded.run, leaseId);
    expect(next.gen).toBe(1);
    expect(snapshot((await store.load("w4"))!.run)).toEqual(snapshot(run));
    await store.releaseLease("w4", leaseId);
  });
});

describe("compaction in the coordinator", () => {
  it("keeps the state exact across many compactions", async () => {
    const engine = await engineOn(memoryStorage(), { compactAfter: { bytes: 1 << 20, frames: 3 } });
    const { id } = await submitWorkflow(engine, def.definition);
    await runToEnd([engine], succeedAll);
    expect(engine.stats.counter("journal.compactions")).toBeGreaterThan(5);
    const tasks = (await getTasks(engine, id, {}))!.tasks;
    expect(tasks.every((t) => t.status === "completed")).toBe(true);
    expect(tasks).toHaveLength(50);
  });
});

describe("loadForRead", () => {
  it("follows appends and compactions exactly, reading only the head's ETag and the journal's tail", async () => {
    const { Faults } = await import("./faults.js");
    const faults = new Faults();
    const storage = faults.wrap(memoryStorage());
    await storage.blobs.ensure();
    const store = new StateStore(storage.blobs, names, { bytes: 1 << 20, frames: 4 });
    const { run } = createRun(def, "r1", 1000);
    let version = await store.create("r1", def, run);
    const leaseId = (await store.acquireLease("r1", 30))!;
    expect(snapshot((await store.loadForRead("r1"))!.run)).toEqual(snapshot(run));
    for (let i = 0; i < 10; i++) {
      version = await store.append(
        "r1",
        version,
        applyEvents(run, [{ kind: "completed", task: i, attempt: 1, output: { i } }], 2000 + i)
          .delta,
      );
      if (store.needsCompaction(version))
        version = await store.compact("r1", version, run, leaseId);
      const reads = faults.calls.get("blobs.read") ?? 0;
      const seen = (await store.loadForRead("r1"))!;
      expect(snapshot(seen.run)).toEqual(snapshot(run));
      // Between compactions: no full read of the head, one read of the journal's tail.
      if (version.journalFrames > 0) expect((faults.calls.get("blobs.read") ?? 0) - reads).toBe(1);
    }
    await store.purge("r1");
    expect(await store.loadForRead("r1")).toBeNull();
  });
});
