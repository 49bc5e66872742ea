import { beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../../src/engine/context.js";
import type { Runtime } from "../../src/functions/runtime.js";
import { submitWorkflowHandler } from "../../src/functions/submitWorkflow.js";
import { TaskMessageSchema } from "../../src/protocol/messages.js";
import { call, json, memoryRuntime, pair } from "./httpFixture.js";

let rt: Runtime;
let engine: Engine;
beforeEach(() => {
  ({ rt, engine } = memoryRuntime());
});

const post = (c: { headers?: Record<string, string>; body?: string }) =>
  call(submitWorkflowHandler(rt), { method: "POST", path: "workflows", ...c });

const withParams = { ...pair, params: { lr: 0.01, tag: "a" } };

describe("POST workflows: an id and parameters", () => {
  it("an envelope's id: 201, then 200 with the same workflow, 409 for another definition", async () => {
    const first = await post(json({ definition: pair, id: "run-42" }));
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      id: "run-42",
      status: "running",
      tasks: 2,
      url: "http://localhost/api/workflows/run-42",
    });
    const again = await post(json({ definition: pair, id: "run-42" }));
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const other = await post(json({ definition: { ...pair, name: "other" }, id: "run-42" }));
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({
      error: "workflow run-42 exists with another definition (or other parameters)",
      details: { code: "INVALID_STATE", id: "run-42" },
    });
  });

  it("the Idempotency-Key header does the same for a plain definition, JSON or YAML", async () => {
    const key = { "idempotency-key": "key-7" };
    const first = await post({ ...json(pair), headers: { ...json(pair).headers, ...key } });
    expect(first.status).toBe(201);
    const yaml =
      "name: pair\ntasks:\n  - {name: prep/a, command: echo a}\n  - {name: train/b, command: echo b, depends_on: [prep/a]}\n";
    const again = await post({
      headers: { "content-type": "application/yaml", ...key },
      body: yaml,
    });
    expect(again.status).toBe(200);
    expect((again.body as { id: string }).id).toBe("key-7");
  });

  it("refuses an invalid id, and a header and body that disagree", async () => {
    const bad = await post({
      ...json(pair),
      headers: { ...json(pair).headers, "idempotency-key": "Bad Key" },
    });
    expect(bad.status).toBe(400);
    expect((bad.body as { error: string }).error).toMatch(/^invalid Idempotency-Key header/);
    const upper = await post(json({ definition: pair, id: "UPPER" }));
    expect(upper.status).toBe(400);
    const both = await post({
      ...json({ definition: pair, id: "one" }),
      headers: { "content-type": "application/json", "idempotency-key": "two" },
    });
    expect(both.status).toBe(400);
    expect((both.body as { error: string }).error).toBe(
      'the Idempotency-Key header ("two") and the body\'s id ("one") differ',
    );
    const extra = await post(json({ definition: pair, idd: "x" }));
    expect(extra.status).toBe(400);
  });

  it("params override the defaults; the tasks' messages carry the resolved values", async () => {
    const r = await post(json({ definition: withParams, params: { lr: 0.5 } }));
    expect(r.status).toBe(201);
    const msgs = await engine.storage.queues.receive(engine.names.taskQueue("default"), 32, 30);
    expect(msgs.map((m) => TaskMessageSchema.parse(JSON.parse(m.text)).params)).toEqual([
      { lr: 0.5, tag: "a" },
    ]);
    const wrong = await post(json({ definition: withParams, params: { lr: "fast", nope: 1 } }));
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({
      details: {
        issues: [
          { path: "params.lr", message: "expected number (the type of its default), got string" },
          {
            path: "params.nope",
            message: 'no parameter "nope" in the definition (it has lr, tag)',
          },
        ],
      },
    });
  });

  it("an envelope's definition may be YAML text", async () => {
    const r = await post(
      json({ definition: "name: y\ntasks:\n  - {name: a, command: 'true'}\n", id: "yaml-1" }),
    );
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ id: "yaml-1", tasks: 1 });
  });
});
