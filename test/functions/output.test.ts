import { describe, expect, it } from "vitest";
import { ingestCompletionMessage } from "../../src/engine/ingest.js";
import { getTaskOutputHandler } from "../../src/functions/getTaskOutput.js";
import { getWorkflowTasksHandler } from "../../src/functions/getWorkflowTasks.js";
import { submitWorkflowHandler } from "../../src/functions/submitWorkflow.js";
import { call, json, memoryRuntime, pair } from "./httpFixture.js";

/** A user reads outputs as values, never as the storage references large ones travel as. */
describe("GET workflows/{id}/tasks/{task}/output and spilled outputs in task listings", () => {
  async function withSpilledOutput() {
    const { rt, engine } = memoryRuntime();
    const submitted = await call(submitWorkflowHandler(rt), {
      method: "POST",
      path: "workflows",
      ...json(pair),
    });
    const { id } = submitted.body as { id: string };
    const big = { rows: "r".repeat(20_000), n: 7 };
    const path = engine.names.outputBlob(id, "prep/a", 1);
    await engine.storage.blobs.write(path, Buffer.from(JSON.stringify(big)));
    const ref = { $dagq: "output-ref", path, bytes: 20_017 };
    const report = { kind: "completed", workflow_id: id, task: "prep/a", attempt: 1, output: ref };
    await ingestCompletionMessage(engine, JSON.stringify({ v: 1, completions: [report] }));
    await engine.coordinator.flush();
    return { rt, id, big };
  }

  it("returns the task with its spilled output fetched from the blob", async () => {
    const { rt, id, big } = await withSpilledOutput();
    const get = (task: string) =>
      call(getTaskOutputHandler(rt), {
        path: `workflows/${id}/tasks/${encodeURIComponent(task)}/output`,
        params: { id, task },
      });
    const r = await get("prep/a");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      task: "prep/a",
      status: "completed",
      output: big,
      spilledBytes: 20_017,
    });
    expect((await get("train/b")).body).toEqual({
      task: "train/b",
      status: "ready",
      output: null,
      spilledBytes: null,
    });
    expect(await get("nope")).toMatchObject({
      status: 404,
      body: { error: `workflow "${id}" has no task "nope"` },
    });
    expect((await get("bad name!")).status).toBe(400);
    const none = await call(getTaskOutputHandler(rt), {
      path: "workflows/abc-123/tasks/a/output",
      params: { id: "abc-123", task: "a" },
    });
    expect(none).toMatchObject({ status: 404, body: { error: 'no workflow "abc-123"' } });
  });

  it("task listings show the value too", async () => {
    const { rt, id, big } = await withSpilledOutput();
    const r = await call(getWorkflowTasksHandler(rt), {
      path: `workflows/${id}/tasks?prefix=prep/`,
      params: { id },
    });
    expect(r.body).toMatchObject({ tasks: [{ name: "prep/a", output: big }] });
  });
});
