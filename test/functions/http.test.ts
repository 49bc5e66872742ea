import { beforeEach, describe, expect, it } from "vitest";
import { cancelWorkflowHandler } from "../../src/functions/cancelWorkflow.js";
import { controlHandler } from "../../src/functions/control.js";
import { deleteWorkflowHandler } from "../../src/functions/deleteWorkflow.js";
import { getPurgeHandler } from "../../src/functions/getPurge.js";
import { getWorkflowHandler } from "../../src/functions/getWorkflow.js";
import { getWorkflowTasksHandler } from "../../src/functions/getWorkflowTasks.js";
import { healthHandler } from "../../src/functions/health.js";
import { listWorkflowsHandler } from "../../src/functions/listWorkflows.js";
import type { Runtime } from "../../src/functions/runtime.js";
import { startPurgeHandler } from "../../src/functions/startPurge.js";
import { submitWorkflowHandler } from "../../src/functions/submitWorkflow.js";
import { summaryHandler } from "../../src/functions/summary.js";
import {
  call,
  json,
  MAX_BYTES,
  memoryRuntime,
  pair,
  testConfig,
  testContext,
} from "./httpFixture.js";

let rt: Runtime;

async function submit(def: unknown = pair): Promise<string> {
  const r = await call(submitWorkflowHandler(rt), {
    method: "POST",
    path: "workflows",
    ...json(def),
  });
  expect(r.status).toBe(201);
  return (r.body as { id: string }).id;
}

beforeEach(() => {
  rt = memoryRuntime().rt;
});

describe("POST workflows", () => {
  const post = (c: { headers?: Record<string, string>; body?: string | Uint8Array }) =>
    call(submitWorkflowHandler(rt), { method: "POST", path: "workflows", ...c });

  it("accepts JSON: 201 with id, status, tasks, url and Location", async () => {
    const r = await post(json(pair));
    const { id } = r.body as { id: string };
    expect(id).toMatch(/^[a-z0-9]+-[0-9a-f]{10}$/);
    expect(r.body).toEqual({
      id,
      status: "running",
      tasks: 2,
      url: `http://localhost/api/workflows/${id}`,
    });
    expect(r.headers.location).toBe(`http://localhost/api/workflows/${id}`);
  });

  it("accepts YAML under application/yaml and text/yaml", async () => {
    const yaml =
      "name: y\ntasks:\n  - name: a\n    command: echo a\n  - name: b\n    command: echo b\n    depends_on: [a]\n";
    for (const type of ["application/yaml", "text/yaml; charset=utf-8"]) {
      const r = await post({ headers: { "content-type": type }, body: yaml });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ status: "running", tasks: 2 });
    }
  });

  it("refuses malformed JSON and YAML with 400", async () => {
    const bad = await post({ headers: { "content-type": "application/json" }, body: '{"name": ' });
    expect(bad.status).toBe(400);
    expect((bad.body as { error: string }).error).toMatch(/^invalid JSON: /);
    const badYaml = await post({
      headers: { "content-type": "application/yaml" },
      body: "a: [1, 2",
    });
    expect(badYaml.status).toBe(400);
    expect((badYaml.body as { error: string }).error).toMatch(/^invalid YAML: /);
  });

  it("names each schema violation by path", async () => {
    const r = await post(json({ name: "w", tasks: [{ name: "a" }] }));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      error: expect.stringContaining("tasks[0].command"),
      details: {
        code: "INVALID_DEFINITION",
        issues: [
          {
            path: "tasks[0].command",
            code: "INVALID_DEFINITION",
            message: 'task "a": "command" is required: a string',
          },
        ],
      },
    });
  });

  it("refuses a dependency cycle with the CYCLE issue", async () => {
    const cycle = {
      name: "c",
      tasks: [
        { name: "a", command: "x", depends_on: ["b"] },
        { name: "b", command: "x", depends_on: ["a"] },
      ],
    };
    const r = await post(json(cycle));
    expect(r.status).toBe(400);
    const { details } = r.body as { details: { issues: Array<{ path: string; code: string }> } };
    expect(details.issues[0]).toMatchObject({ path: "tasks[0].depends_on", code: "CYCLE" });
  });

  it("refuses bodies that are neither JSON nor YAML with 415", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded"]) {
      const r = await post({ headers: { "content-type": type }, body: "name=x" });
      expect(r.status).toBe(415);
      expect(r.body).toEqual({
        error: `unsupported media type "${type}": send application/json or application/yaml`,
      });
    }
  });

  it("refuses an empty body, a bad Content-Length and non-UTF-8 bytes with 400", async () => {
    expect((await post({})).body).toEqual({ error: "a request body is required" });
    const lying = await post({ headers: { "content-length": "12abc" }, body: "{}" });
    expect(lying).toMatchObject({
      status: 400,
      body: { error: 'invalid Content-Length header: "12abc"' },
    });
    const latin1 = await post({ body: new Uint8Array([0x7b, 0xff, 0x7d]) });
    expect(latin1).toMatchObject({
      status: 400,
      body: { error: "the request body is not valid UTF-8" },
    });
  });

  it("refuses an oversize body by Content-Length and by the bytes actually read (413)", async () => {
    const big = JSON.stringify({ ...pair, description: "x".repeat(MAX_BYTES) });
    const tooLarge = {
      error: `the request body exceeds ${MAX_BYTES} bytes`,
      details: { maxBytes: MAX_BYTES },
    };
    const declared = await post({
      headers: { "content-length": String(MAX_BYTES + 1) },
      body: "{}",
    });
    expect(declared).toMatchObject({ status: 413, body: tooLarge });
    const understated = await post({ headers: { "content-length": "10" }, body: big });
    expect(understated).toMatchObject({ status: 413, body: tooLarge });
    const undeclared = await post({ body: big });
    expect(undeclared).toMatchObject({ status: 413, body: tooLarge });
  });

  it("answers an unexpected failure with a generic 500 and logs the details", async () => {
    const broken: Runtime = { ...rt, engine: () => Promise.reject(new Error("disk on fire")) };
    const r = await call(submitWorkflowHandler(broken), {
      method: "POST",
      path: "workflows",
      ...json(pair),
    });
    expect(r.status).toBe(500);
    expect(r.body).toEqual({
      error: "internal error",
      details: { invocationId: "test-invocation" },
    });
    expect(r.logs.join("\n")).toContain("disk on fire");
  });
});

describe("GET workflows/{id} and its tasks", () => {
  it("reports the status, and layers with detail=true", async () => {
    const id = await submit();
    const get = (query: string) =>
      call(getWorkflowHandler(rt), { path: `workflows/${id}${query}`, params: { id } });
    const plain = await get("");
    expect(plain).toMatchObject({
      status: 200,
      body: { id, name: "pair", status: "running", total: 2 },
    });
    expect(plain.body as object).not.toHaveProperty("layers");
    const detail = await get("?detail=true");
    expect((detail.body as { layers: unknown[] }).layers).toHaveLength(2);
    expect(await get("?detail=yes")).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^invalid query: detail: /) },
    });
  });

  it("404s an unknown id and 400s a malformed one", async () => {
    const unknown = await call(getWorkflowHandler(rt), {
      path: "workflows/abc-123",
      params: { id: "abc-123" },
    });
    expect(unknown).toMatchObject({ status: 404, body: { error: 'no workflow "abc-123"' } });
    const bad = await call(getWorkflowHandler(rt), {
      path: "workflows/Bad..Id",
      params: { id: "Bad..Id" },
    });
    expect(bad).toMatchObject({
      status: 400,
      body: {
        error: "invalid path: id: not a dagq workflow id",
        details: { issues: [{ path: "id", message: "not a dagq workflow id" }] },
      },
    });
  });

  it("lists tasks by prefix and status, and refuses bad query values", async () => {
    const id = await submit();
    const tasks = (query: string) =>
      call(getWorkflowTasksHandler(rt), { path: `workflows/${id}/tasks${query}`, params: { id } });
    const train = await tasks("?prefix=train/&status=pending,ready");
    expect(train.status).toBe(200);
    expect(
      (train.body as { tasks: Array<{ name: string; status: string }> }).tasks.map((t) => [
        t.name,
        t.status,
      ]),
    ).toEqual([["train/b", "pending"]]);
    const paged = await tasks("?limit=1");
    expect(paged.body).toMatchObject({ tasks: [{ name: "prep/a" }], next: "prep/a" });
    expect((await tasks("?status=done")).status).toBe(400);
    expect((await tasks("?limit=0")).body).toMatchObject({
      error: "invalid query: limit: must be at least 1",
    });
    expect((await tasks("?limit=ten")).body).toMatchObject({
      error: "invalid query: limit: expected a whole number",
    });
    expect((await tasks("?colour=red")).body).toMatchObject({
      error: expect.stringContaining('"colour"'),
    });
    expect((await tasks("?limit=1&limit=2")).body).toEqual({
      error: 'query parameter "limit" is given more than once',
    });
    expect((await tasks("?code=the-function-key")).status).toBe(200);
    // The host's key parameters: `clientId` names the key sent in `code`.
    expect((await tasks("?code=the-function-key&clientId=default")).status).toBe(200);
    const missing = await call(getWorkflowTasksHandler(rt), {
      path: "workflows/abc-123/tasks",
      params: { id: "abc-123" },
    });
    expect(missing).toMatchObject({ status: 404, body: { error: 'no workflow "abc-123"' } });
  });
});

describe("GET workflows", () => {
  it("lists newest first with status filter and cursor paging", async () => {
    const first = await submit();
    await new Promise((r) => setTimeout(r, 5));
    const second = await submit();
    const list = (query: string) => call(listWorkflowsHandler(rt), { path: `workflows${query}` });
    const page1 = await list("?status=running&limit=1");
    expect(page1.status).toBe(200);
    const body1 = page1.body as { workflows: Array<{ id: string }>; next: string };
    expect(body1.workflows.map((w) => w.id)).toEqual([second]);
    const page2 = await list(`?status=running&limit=1&cursor=${body1.next}`);
    expect(page2.body).toMatchObject({ workflows: [{ id: first }], next: null });
    expect((await list("?status=completed")).body).toEqual({ workflows: [], next: null });
    expect((await list("?status=weird")).status).toBe(400);
    expect((await list("?limit=1001")).body).toMatchObject({
      error: "invalid query: limit: must be at most 1000",
    });
    expect((await list("?cursor=%2F%2F")).body).toMatchObject({
      error: "invalid query: cursor: not a cursor from a previous page",
    });
    // A cursor that never came from a page (it once restarted at page 1 without a word).
    const forged = Buffer.from("no-such-workflow").toString("base64url");
    expect((await list(`?cursor=${forged}`)).status).toBe(400);
  });

  it("a page's cursor still works when its last workflow was purged meanwhile", async () => {
    const ids: string[] = [];
    for (let k = 0; k < 3; k++) {
      ids.push(await submit());
      await new Promise((r) => setTimeout(r, 5));
    }
    const list = (query: string) => call(listWorkflowsHandler(rt), { path: `workflows${query}` });
    const page1 = (await list("?limit=1")).body as {
      workflows: Array<{ id: string }>;
      next: string;
    };
    expect(page1.workflows.map((w) => w.id)).toEqual([ids[2]]);
    await call(deleteWorkflowHandler(rt), {
      method: "DELETE",
      path: `workflows/${ids[2]}`,
      params: { id: ids[2]! },
    });
    const page2 = await list(`?limit=5&cursor=${page1.next}`);
    expect(page2.body).toMatchObject({ workflows: [{ id: ids[1] }, { id: ids[0] }], next: null });
  });
});

describe("cancel, delete, purge", () => {
  it("cancels (202), then the workflow reads cancelled; 404 for unknown; 400/415 for bad bodies", async () => {
    const id = await submit();
    const cancel = (body: { headers?: Record<string, string>; body?: string }, wf = id) =>
      call(cancelWorkflowHandler(rt), {
        method: "POST",
        path: `workflows/${wf}/cancel`,
        params: { id: wf },
        ...body,
      });
    expect(await cancel(json({ reason: 5 }))).toMatchObject({
      status: 400,
      body: { error: "invalid body: reason: Invalid input: expected string, received number" },
    });
    expect((await cancel({ headers: { "content-type": "text/plain" }, body: "stop" })).status).toBe(
      415,
    );
    expect(await cancel(json({ reason: "no longer needed" }))).toMatchObject({
      status: 202,
      body: { id, cancel: "applied" },
    });
    const status = await call(getWorkflowHandler(rt), {
      path: `workflows/${id}?detail=true`,
      params: { id },
    });
    expect(status.body).toMatchObject({ status: "cancelled", counts: { cancelled: 2 } });
    expect(await cancel({}, "abc-123")).toMatchObject({
      status: 404,
      body: { error: 'no workflow "abc-123"' },
    });
  });

  it("deletes one workflow: 204, then 404", async () => {
    const id = await submit();
    const del = () =>
      call(deleteWorkflowHandler(rt), {
        method: "DELETE",
        path: `workflows/${id}`,
        params: { id },
      });
    expect(await del()).toMatchObject({ status: 204, body: null });
    expect(
      (await call(getWorkflowHandler(rt), { path: `workflows/${id}`, params: { id } })).status,
    ).toBe(404);
    expect(await del()).toMatchObject({ status: 404, body: { error: `no workflow "${id}"` } });
  });

  it("starts a purge job (202), runs it from the control queue, reports progress", async () => {
    const id = await submit();
    await call(cancelWorkflowHandler(rt), {
      method: "POST",
      path: `workflows/${id}/cancel`,
      params: { id },
    });
    const start = (value: unknown) =>
      call(startPurgeHandler(rt), { method: "POST", path: "purge", ...json(value) });
    expect((await start({ scope: "some" })).status).toBe(400);
    expect((await start({ scope: "all", extra: 1 })).body).toMatchObject({
      error: expect.stringContaining('"extra"'),
    });
    const started = await start({ scope: "terminal" });
    expect(started.status).toBe(202);
    const { job } = started.body as { job: string };
    expect(started.body).toEqual({
      job,
      scope: "terminal",
      purged: 0,
      done: false,
      url: `http://localhost/api/purge/${job}`,
    });
    const engine = await rt.engine();
    const [msg] = await engine.storage.queues.receive(engine.names.controlQueue, 1, 30);
    await controlHandler(rt)(JSON.parse(msg!.text), testContext());
    const progress = await call(getPurgeHandler(rt), { path: `purge/${job}`, params: { job } });
    expect(progress).toMatchObject({
      status: 200,
      body: { job, scope: "terminal", purged: 1, done: true },
    });
    expect(
      (
        await call(getPurgeHandler(rt), {
          path: "purge/0123456789ab",
          params: { job: "0123456789ab" },
        })
      ).status,
    ).toBe(404);
    expect(
      (await call(getPurgeHandler(rt), { path: "purge/nope", params: { job: "nope" } })).body,
    ).toEqual({
      error: "invalid path: job: not a purge job id",
      details: { issues: [{ path: "job", message: "not a purge job id" }] },
    });
  });
});

describe("POST purge with drain_queues never takes a running workflow's messages", () => {
  const start = (value: unknown) =>
    call(startPurgeHandler(rt), { method: "POST", path: "purge", ...json(value) });

  it("is refused (409) for terminal workflows while others run; their task messages stay", async () => {
    const running = await submit();
    const done = await submit();
    await call(cancelWorkflowHandler(rt), {
      method: "POST",
      path: `workflows/${done}/cancel`,
      params: { id: done },
    });
    const engine = await rt.engine();
    const taskQueue = engine.names.taskQueue("default");
    const before = await engine.storage.queues.depth(taskQueue);
    expect(before).toBeGreaterThan(0);
    const r = await start({ scope: "terminal", drain_queues: true });
    expect(r.status).toBe(409);
    expect((r.body as { error: string }).error).toMatch(
      /would lose the messages of 1 running or pending workflow/,
    );
    expect(await engine.storage.queues.depth(taskQueue)).toBe(before);
    // Without drain_queues the terminal purge goes ahead and the running workflow keeps its work.
    expect((await start({ scope: "terminal" })).status).toBe(202);
    expect(await engine.storage.queues.depth(taskQueue)).toBe(before);
    expect(running).toBeTruthy();
  });

  it("drains only if nothing runs when the job finishes: a workflow submitted meanwhile keeps its work", async () => {
    const engine = await rt.engine();
    const taskQueue = engine.names.taskQueue("default");
    const started = await start({ scope: "terminal", drain_queues: true });
    expect(started.status).toBe(202); // nothing runs yet
    const { job } = started.body as { job: string };
    const late = await submit(); // arrives before the job's step runs
    const depth = await engine.storage.queues.depth(taskQueue);
    expect(depth).toBeGreaterThan(0);
    const [msg] = await engine.storage.queues.receive(engine.names.controlQueue, 1, 30);
    await controlHandler(rt)(JSON.parse(msg!.text), testContext());
    const progress = await call(getPurgeHandler(rt), { path: `purge/${job}`, params: { job } });
    expect(progress.body).toMatchObject({ done: true, drained: false });
    expect(await engine.storage.queues.depth(taskQueue)).toBe(depth);
    expect(late).toBeTruthy();
    // With nothing left running, the same job drains.
    const all = await start({ scope: "all", drain_queues: true });
    const [next] = await engine.storage.queues.receive(engine.names.controlQueue, 1, 30);
    await controlHandler(rt)(JSON.parse(next!.text), testContext());
    const j2 = (all.body as { job: string }).job;
    const p2 = await call(getPurgeHandler(rt), { path: `purge/${j2}`, params: { job: j2 } });
    expect(p2.body).toMatchObject({ done: true, drained: true });
    expect(await engine.storage.queues.depth(taskQueue)).toBe(0);
  });
});

describe("GET summary and health", () => {
  it("summarizes workflows by state", async () => {
    await submit();
    const r = await call(summaryHandler(rt), { path: "summary" });
    expect(r).toMatchObject({
      status: 200,
      body: { workflows: { running: 1, completed: 0 }, runningTasks: { ready: 1, pending: 1 } },
    });
    expect((await call(summaryHandler(rt), { path: "summary?x=1" })).status).toBe(400);
  });

  it("is 200 while storage answers and 503 when it does not", async () => {
    const ok = await call(healthHandler(rt), { path: "health" });
    expect(ok.status).toBe(200);
    expect((ok.body as { verdict: string }).verdict).toMatch(/^(ok|warn)$/);
    const down: Runtime = {
      ...memoryRuntime(testConfig()).rt,
      engine: () => Promise.reject(new Error("ECONNREFUSED")),
    };
    const r = await call(healthHandler(down), { path: "health" });
    expect(r).toMatchObject({
      status: 503,
      body: {
        verdict: "fail",
        checks: [{ name: "storage", verdict: "fail", detail: "Error: ECONNREFUSED" }],
      },
    });
  });
});

describe("task queues: Azure's naming rules, and Service Bus only in listed namespaces", () => {
  const post = (def: unknown, r: Runtime = rt) =>
    call(submitWorkflowHandler(r), { method: "POST", path: "workflows", ...json(def) });
  const withQueue = (queue: string) => ({ name: "q", tasks: [{ name: "t", command: "x", queue }] });

  it("refuses an sb:// queue whose namespace the deployment does not list (400, naming the task)", async () => {
    const r = await post(withQueue("sb://attacker.example.com/q"));
    expect(r.status).toBe(400);
    expect((r.body as { error: string }).error).toContain(
      'tasks[0].queue: task "t": Service Bus namespace attacker.example.com is not allowed here (none are allowed: DAGQ_SERVICEBUS_NAMESPACES)',
    );
    const listed = memoryRuntime(
      testConfig({ DAGQ_SERVICEBUS_NAMESPACES: "acme-ml, Other-Ns" }),
    ).rt;
    expect((await post(withQueue("sb://acme-ml/gpu"), listed)).status).toBe(201);
    expect((await post(withQueue("sb://other-ns.servicebus.windows.net/a/b"), listed)).status).toBe(
      201,
    );
    const elsewhere = await post(withQueue("sb://acme-ml.attacker.example.com/gpu"), listed);
    expect((elsewhere.body as { error: string }).error).toContain(
      "only acme-ml.servicebus.windows.net, other-ns.servicebus.windows.net are allowed",
    );
  });

  it("holds queue names to Azure's rules", async () => {
    for (const bad of [
      "a".repeat(34), // <prefix>-tasks-<name>-poison would pass 63 characters
      "a--b",
      "-a",
      "GPU",
      "sb://ns/q", // a namespace has 6-50 characters
      "sb://acme-ml//q",
      "sb://acme-ml/q/",
      "sb://acme-ml/q#1",
    ]) {
      expect((await post(withQueue(bad))).status, bad).toBe(400);
    }
    expect((await post(withQueue("a".repeat(33)))).status).toBe(201);
  });
});
