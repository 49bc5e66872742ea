import { describe, expect, it } from "vitest";
import { sweepOrphans, TOMBSTONE_MS } from "../../src/engine/orphans.js";
import { purgeWorkflow } from "../../src/engine/purge.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { BACKENDS, engineFor } from "./fakeWorld.js";

/** A purge converges: an output spilled after it (a task that was still running) goes too. */
describe.each(BACKENDS)("purge converges (%s)", (backend) => {
  it("the orphan sweep deletes blobs written under a purged workflow's prefix, for an hour", async () => {
    let now = Date.now();
    const { engine, storage } = await engineFor(backend, { clock: () => now });
    const { id } = await submitWorkflow(engine, {
      name: "p",
      tasks: [{ name: "t", command: "x" }],
    });
    await purgeWorkflow(engine, id);
    const late = engine.names.outputBlob(id, "t", 1);
    await storage.blobs.write(late, Buffer.from('{"late":true}'));
    const report = await sweepOrphans(engine);
    expect(report.lateBlobsSwept).toBe(1);
    expect(await storage.blobs.read(late)).toBeNull();
    // Nothing left: the next sweep finds nothing; after an hour the tombstone goes too.
    expect((await sweepOrphans(engine)).lateBlobsSwept).toBe(0);
    now += TOMBSTONE_MS + 1;
    await sweepOrphans(engine);
    const left: string[] = [];
    for await (const t of engine.index.tombstones()) left.push(t.id);
    expect(left).toEqual([]);
  });
});
