import { beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../../src/engine/context.js";
import { rerunWorkflowHandler } from "../../src/functions/rerunWorkflow.js";
import type { Runtime } from "../../src/functions/runtime.js";
import { submitWorkflowHandler } from "../../src/functions/submitWorkflow.js";
import { runToEnd } from "../engine/fakeWorld.js";
import { call, json, memoryRuntime, pair } from "./httpFixture.js";

let rt: Runtime;
let engine: Engine;

beforeEach(() => {
  ({ rt, engine } = memoryRuntime());
});

async function failedWorkflow(): Promise<string> {
  const r = await call(submitWorkflowHandler(rt), {
    method: "POST",
    path: "workflows",
    ...json(pair),
  });
  const { id } = r.body as { id: string };
  await runToEnd([engine], (m) =>
    m.task === "train/b" ? { ok: false, error: "no" } : { ok: true },
  );
  return id;
}

const rerun = (id: string, body?: unknown) =>
  call(rerunWorkflowHandler(rt), {
    method: "POST",
    path: `workflows/${id}/rerun`,
    params: { id },
    ...(body === undefined ? {} : json(body)),
  });

describe("POST workflows/{id}/rerun", () => {
  it("202 with how many tasks it resets; the body is optional", async () => {
    const id = await failedWorkflow();
    const r = await rerun(id);
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ id, rerun: "applied", tasks: 1 });
  });

  it("409 with the reason when there is nothing to rerun", async () => {
    const id = await failedWorkflow();
    const r = await rerun(id, { tasks: ["prep/a"], failed: true });
    expect(r.status).toBe(409);
    expect((r.body as { error: string }).error).toBe(
      "nothing to rerun: none of the chosen tasks failed, is upstream_failed or was cancelled",
    );
  });

  it("400 for a task the workflow does not have, or a body out of shape; 404 for no workflow", async () => {
    const id = await failedWorkflow();
    const unknown = await rerun(id, { tasks: ["prep/x"] });
    expect(unknown.status).toBe(400);
    expect((unknown.body as { error: string }).error).toBe(`no task "prep/x" in workflow ${id}`);
    const many = await rerun(id, { tasks: Array.from({ length: 101 }, (_, i) => `t${i}`) });
    expect(many.status).toBe(400);
    expect(JSON.stringify(many.body)).toMatch(/at most 100 task names: choose a group with prefix/);
    const extra = await rerun(id, { task: "prep/a" });
    expect(extra.status).toBe(400);
    expect((await rerun("abc-0000000000")).status).toBe(404);
  });
});
