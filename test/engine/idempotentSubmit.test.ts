import { describe, expect, it } from "vitest";
import { DagqError } from "../../src/core/index.js";
import { purgeWorkflow } from "../../src/engine/purge.js";
import { getStatus, listWorkflows } from "../../src/engine/queries.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { BACKENDS, engineOn, runToEnd, storageFor, succeedAll } from "./fakeWorld.js";
import { Faults } from "./faults.js";

/** A client-chosen id makes a submission safe to retry, whatever happened to the first try. */

const def = {
  name: "idem",
  params: { n: 1 },
  tasks: [
    { name: "a", command: "x" },
    { name: "b", command: "x", depends_on: ["a"] },
  ],
};

async function faulty(backend: (typeof BACKENDS)[number]) {
  const faults = new Faults();
  const { storage, prefix } = storageFor(backend);
  const engine = await engineOn(faults.wrap(storage), { prefix });
  return { faults, engine };
}

async function workflowsNamed(engine: Parameters<typeof listWorkflows>[0], name: string) {
  return (await listWorkflows(engine, {})).workflows.filter((w) => w.name === name);
}

describe.each(BACKENDS)("idempotent submission on %s", (backend) => {
  it("the same id and definition: one workflow, the second answer is the existing one", async () => {
    const { engine } = await faulty(backend);
    const first = await submitWorkflow(engine, def, { id: "nightly-2026-01-01" });
    expect(first).toEqual({ created: true, id: "nightly-2026-01-01", status: "running", tasks: 2 });
    // Keys in another order, defaults spelled out: the same definition.
    const again = await submitWorkflow(
      engine,
      { tasks: def.tasks, params: { n: 1 }, name: "idem", result_policy: "sinks" },
      { id: "nightly-2026-01-01" },
    );
    expect(again).toEqual({
      created: false,
      id: "nightly-2026-01-01",
      status: "running",
      tasks: 2,
    });
    await runToEnd([engine], succeedAll);
    const done = await submitWorkflow(engine, def, { id: "nightly-2026-01-01" });
    expect(done.status).toBe("completed");
    expect(await workflowsNamed(engine, "idem")).toHaveLength(1);
  });

  it("another definition or other parameters under the id: a conflict that says so", async () => {
    const { engine } = await faulty(backend);
    await submitWorkflow(engine, def, { id: "job-1" });
    const other = { ...def, tasks: [{ name: "a", command: "y" }] };
    await expect(submitWorkflow(engine, other, { id: "job-1" })).rejects.toThrow(
      "workflow job-1 exists with another definition (or other parameters)",
    );
    await expect(submitWorkflow(engine, def, { id: "job-1", params: { n: 2 } })).rejects.toThrow(
      DagqError,
    );
    // The same values given as overrides are the same workflow.
    expect((await submitWorkflow(engine, def, { id: "job-1", params: { n: 1 } })).created).toBe(
      false,
    );
  });

  it("a crash between the definition blob and the head: the retry finishes the creation", async () => {
    const { faults, engine } = await faulty(backend);
    faults.arm("blobs.createAppend");
    await expect(submitWorkflow(engine, def, { id: "crashy" })).rejects.toThrow("injected fault");
    expect(await getStatus(engine, "crashy")).toBeNull();
    const retry = await submitWorkflow(engine, def, { id: "crashy" });
    expect(retry).toMatchObject({ created: true, status: "running" });
    await runToEnd([engine], succeedAll);
    expect((await getStatus(engine, "crashy"))?.status).toBe("completed");
    expect(await workflowsNamed(engine, "idem")).toHaveLength(1);
  });

  it("a crash between the head and the index row: the retry writes the row", async () => {
    const { faults, engine } = await faulty(backend);
    faults.arm("tables.upsert");
    await expect(submitWorkflow(engine, def, { id: "no-row" })).rejects.toThrow("injected fault");
    const retry = await submitWorkflow(engine, def, { id: "no-row" });
    expect(retry).toMatchObject({ created: false, status: "running" });
    expect((await getStatus(engine, "no-row"))?.status).toBe("running");
    await runToEnd([engine], succeedAll);
    expect((await getStatus(engine, "no-row"))?.status).toBe("completed");
  });

  it("an id purged within the hour is not taken again", async () => {
    const { engine } = await faulty(backend);
    await submitWorkflow(engine, def, { id: "gone-1" });
    await purgeWorkflow(engine, "gone-1");
    await expect(submitWorkflow(engine, def, { id: "gone-1" })).rejects.toThrow(
      /workflow gone-1 was purged at .*: choose another/,
    );
  });
});
