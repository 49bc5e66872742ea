import { describe, expect, it } from "vitest";
import { getTaskHandler } from "../../src/functions/getTask.js";
import { getTaskOutputHandler } from "../../src/functions/getTaskOutput.js";
import { rerunWorkflowHandler } from "../../src/functions/rerunWorkflow.js";
import { submitWorkflowHandler } from "../../src/functions/submitWorkflow.js";
import { call, json, memoryRuntime } from "./httpFixture.js";

/** Instances of a map are tasks of the API: found by name in routes, as a host passes it. */
describe("routes with an instance of a map", () => {
  it("finds train[1] whether the host decoded its brackets or not; 404 past the last", async () => {
    const { rt } = memoryRuntime();
    const submitted = await call(submitWorkflowHandler(rt), {
      method: "POST",
      path: "workflows",
      ...json({ name: "fan", tasks: [{ name: "train", command: "x", map: '["a", "b"]' }] }),
    });
    expect(submitted.body).toMatchObject({ tasks: 3 });
    const { id } = submitted.body as { id: string };
    const get = (task: string) =>
      call(getTaskHandler(rt), { path: `workflows/${id}/tasks/${task}`, params: { id, task } });
    for (const name of ["train[1]", "train%5B1%5D", "train%5b1%5d"])
      expect(await get(name)).toMatchObject({
        status: 200,
        body: { name: "train[1]", status: "ready", instance: { of: "train", index: 1, item: "b" } },
      });
    expect((await get("train[2]")).status).toBe(404);
    expect((await get("train[01]")).status).toBe(400);
    const output = await call(getTaskOutputHandler(rt), {
      path: `workflows/${id}/tasks/train[0]/output`,
      params: { id, task: "train[0]" },
    });
    expect(output).toMatchObject({ status: 200, body: { task: "train[0]", output: null } });
    const rerun = await call(rerunWorkflowHandler(rt), {
      method: "POST",
      path: `workflows/${id}/rerun`,
      params: { id },
      ...json({ tasks: ["train[1]"] }),
    });
    expect(rerun).toMatchObject({ status: 409 });
  });
});
