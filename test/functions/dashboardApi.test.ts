import { tmpdir } from "node:os";
import { join } from "node:path";
import functions, { type HttpHandler } from "@azure/functions";
import { beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../../src/engine/context.js";
import { ingestCompletionMessage } from "../../src/engine/ingest.js";
import { dashboardHandler } from "../../src/functions/dashboard.js";
import { getTaskHandler } from "../../src/functions/getTask.js";
import { getTaskOutputHandler } from "../../src/functions/getTaskOutput.js";
import { getWorkflowHandler } from "../../src/functions/getWorkflow.js";
import { getWorkflowGraphHandler } from "../../src/functions/getWorkflowGraph.js";
import { getWorkflowTasksHandler } from "../../src/functions/getWorkflowTasks.js";
import { listWorkflowsHandler } from "../../src/functions/listWorkflows.js";
import type { Runtime } from "../../src/functions/runtime.js";
import { submitWorkflowHandler } from "../../src/functions/submitWorkflow.js";
import { call, json, memoryRuntime, testConfig, testContext } from "./httpFixture.js";

let rt: Runtime;
let engine: Engine;

const pipeline = {
  name: "pipe",
  tasks: [
    { name: "prep/a", command: "echo a" },
    {
      name: "train/b",
      command: "echo b",
      depends_on: ["prep/a"],
      condition: 'inputs["prep/a"].n > 1',
    },
  ],
};

async function submit(def: unknown = pipeline): Promise<string> {
  const r = await call(submitWorkflowHandler(rt), {
    method: "POST",
    path: "workflows",
    ...json(def),
  });
  expect(r.status).toBe(201);
  return (r.body as { id: string }).id;
}

/** Reports started + completed for one attempt, as a worker would. */
async function complete(id: string, task: string, output: unknown): Promise<void> {
  const base = { workflow_id: id, task, attempt: 1 };
  await ingestCompletionMessage(engine, {
    v: 1,
    completions: [
      { kind: "started", ...base },
      { kind: "completed", ...base, output },
    ],
  });
}

beforeEach(() => {
  ({ rt, engine } = memoryRuntime(testConfig({ DAGQ_MAX_REQUEST_BYTES: "1000000" })));
});

describe("conditional GETs", () => {
  it("answer 304 to If-None-Match with the current ETag, and 200 with a new one after a change", async () => {
    const id = await submit();
    const routes: Array<{ handler: HttpHandler; path: string; params: Record<string, string> }> = [
      { handler: getWorkflowHandler(rt), path: `workflows/${id}`, params: { id } },
      { handler: getWorkflowGraphHandler(rt), path: `workflows/${id}/graph`, params: { id } },
      { handler: getWorkflowTasksHandler(rt), path: `workflows/${id}/tasks`, params: { id } },
      { handler: listWorkflowsHandler(rt), path: "workflows", params: {} },
    ];
    const tags: string[] = [];
    for (const r of routes) {
      const first = await call(r.handler, r);
      expect(first.status).toBe(200);
      const etag = first.headers.etag!;
      expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
      tags.push(etag);
      const again = await call(r.handler, { ...r, headers: { "if-none-match": etag } });
      expect(again.status).toBe(304);
      expect(again.body).toBeNull();
      // A list of tags matches when one does; another tag does not.
      const listed = await call(r.handler, { ...r, headers: { "if-none-match": `"x", ${etag}` } });
      expect(listed.status).toBe(304);
      const other = await call(r.handler, { ...r, headers: { "if-none-match": '"other"' } });
      expect(other.status).toBe(200);
    }
    await complete(id, "prep/a", { n: 2 });
    // The status comes from the index row, which the coordinator refreshes after a change.
    await engine.coordinator.flush();
    for (const [k, r] of routes.slice(1, 3).entries()) {
      const changed = await call(r.handler, { ...r, headers: { "if-none-match": tags[k + 1]! } });
      expect(changed.status).toBe(200);
      expect(changed.headers.etag).not.toBe(tags[k + 1]);
    }
  });
});

describe("GET workflows/{id}/graph", () => {
  it("returns the status and every task of a small workflow with its state and edges", async () => {
    const id = await submit();
    await complete(id, "prep/a", { n: 2 });
    const r = await call(getWorkflowGraphHandler(rt), {
      path: `workflows/${id}/graph`,
      params: { id },
    });
    const body = r.body as {
      workflow: { status: string; total: number };
      mode: string;
      nodes: Array<{ name: string; state: string }>;
      edges: number[][];
    };
    expect(body.workflow).toMatchObject({ status: "running", total: 2 });
    expect(body.mode).toBe("tasks");
    expect(body.nodes.map((n) => `${n.name}:${n.state}`)).toEqual([
      "prep/a:completed",
      "train/b:ready",
    ]);
    expect(body.edges).toEqual([[0, 1]]);
  });

  it("collapses a large workflow, expands a group on request, and refuses bad groups with 400", async () => {
    const tasks = [{ name: "prep/a", command: "x" }];
    for (let k = 0; k < 600; k++)
      tasks.push({ name: `w/${k}`, command: "x", depends_on: ["prep/a"] } as never);
    const id = await submit({ name: "big", tasks });
    const graph = (q: string) =>
      call(getWorkflowGraphHandler(rt), { path: `workflows/${id}/graph${q}`, params: { id } });
    const collapsed = (await graph("")).body as {
      mode: string;
      nodes: Array<{ kind: string; total?: number }>;
    };
    expect(collapsed.mode).toBe("groups");
    expect(collapsed.nodes.map((n) => `${n.kind}:${n.total}`)).toEqual(["group:1", "group:600"]);
    const expanded = (await graph("?expand=prep/")).body as { nodes: Array<{ kind: string }> };
    expect(expanded.nodes.map((n) => n.kind)).toEqual(["task", "group"]);
    for (const [q, message] of [
      ["?expand=nope/", /no group "nope\/"/],
      ["?expand=w/", /w\/ \(600\) hold 600 tasks/],
      ["?expand=../", /not a group/],
      ["?expand=a,b/", /not a group/],
      ["?other=1", /other/],
    ] as const) {
      const r = await graph(q);
      expect(r.status, q).toBe(400);
      expect((r.body as { error: string }).error).toMatch(message);
    }
  });

  it("404s an unknown workflow", async () => {
    const r = await call(getWorkflowGraphHandler(rt), {
      path: "workflows/abc-123/graph",
      params: { id: "abc-123" },
    });
    expect(r.status).toBe(404);
  });
});

describe("GET workflows/{id}/tasks as a window", () => {
  it("sorts, offsets and counts; refuses after with a window and bad values", async () => {
    const id = await submit();
    await complete(id, "prep/a", { n: 2 });
    const tasks = (q: string) =>
      call(getWorkflowTasksHandler(rt), { path: `workflows/${id}/tasks${q}`, params: { id } });
    const w = (await tasks("?sort=status&order=desc&offset=0&limit=1")).body;
    expect(w).toMatchObject({
      total: 2,
      offset: 0,
      tasks: [{ name: "prep/a", status: "completed" }],
    });
    expect((await tasks("?offset=1")).body).toMatchObject({
      total: 2,
      tasks: [{ name: "train/b" }],
    });
    for (const q of ["?after=a&offset=1", "?sort=size", "?order=up", "?offset=-1", "?offset=1e3"]) {
      expect((await tasks(q)).status, q).toBe(400);
    }
    // Without window parameters the answer keeps its documented shape.
    expect(Object.keys((await tasks("")).body as object).sort()).toEqual(["next", "tasks"]);
  });
});

describe("GET workflows/{id}/tasks/{task} and its output", () => {
  it("finds a task whose name holds a slash sent as %2F, or left encoded by the host", async () => {
    const id = await submit();
    await complete(id, "prep/a", { n: 0 });
    for (const task of ["prep/a", "prep%2Fa", "prep%2fa"]) {
      const r = await call(getTaskHandler(rt), {
        path: `workflows/${id}/tasks/${encodeURIComponent(task)}`,
        params: { id, task },
      });
      expect(r.status, task).toBe(200);
      expect(r.body).toMatchObject({ name: "prep/a", status: "completed", output: { n: 0 } });
    }
    const b = await call(getTaskHandler(rt), {
      path: `workflows/${id}/tasks/train%2Fb`,
      params: { id, task: "train/b" },
    });
    expect(b.body).toMatchObject({
      status: "skipped",
      reason: 'condition is false: inputs["prep/a"].n > 1',
      condition: { source: 'inputs["prep/a"].n > 1', outcome: "false" },
      inputs: { "prep/a": { n: 0 } },
    });
    const missing = await call(getTaskHandler(rt), {
      path: `workflows/${id}/tasks/nope`,
      params: { id, task: "nope" },
    });
    expect(missing.status).toBe(404);
    expect((missing.body as { error: string }).error).toBe(`workflow "${id}" has no task "nope"`);
    const bad = await call(getTaskHandler(rt), {
      path: `workflows/${id}/tasks/a%20b`,
      params: { id, task: "a b" },
    });
    expect(bad.status).toBe(400);
  });

  it("resolves a spilled output from its blob, and gives an inline one as it is", async () => {
    const id = await submit();
    const path = `t/workflows/${id}/outputs/prep/a/1.json`;
    const big = { rows: Array.from({ length: 100 }, (_, k) => k) };
    await engine.storage.blobs.write(path, Buffer.from(JSON.stringify(big)));
    await complete(id, "prep/a", { $dagq: "output-ref", path, bytes: 291 });
    const output = (task: string) =>
      call(getTaskOutputHandler(rt), {
        path: `workflows/${id}/tasks/${encodeURIComponent(task)}/output`,
        params: { id, task },
      });
    expect((await output("prep/a")).body).toEqual({
      task: "prep/a",
      status: "completed",
      output: big,
      spilledBytes: 291,
    });
    expect((await output("train/b")).body).toMatchObject({
      task: "train/b",
      output: null,
      spilledBytes: null,
    });
  });
});

describe("GET dashboard/{*path}", () => {
  let root = "";
  /** The handler's answer with its body as text: these are not JSON. */
  const get = async (
    path: string,
    url = `dashboard/${path}`,
    params: Record<string, string> = { path },
  ) => {
    const request = new functions.HttpRequest({
      method: "GET",
      url: `http://localhost/api/${url}`,
      params,
    });
    const response = new functions.HttpResponse(
      (await dashboardHandler(root)(request, testContext())) as never,
    );
    const headers: Record<string, string> = {};
    response.headers.forEach((v, k) => {
      headers[k] = v;
    });
    return { status: response.status, headers, text: await response.text() };
  };

  it("serves the built files with their types and caching, and only those", async () => {
    const { mkdir, mkdtemp, writeFile } = await import("node:fs/promises");
    // The build folder inside a folder that holds a file which must never be served.
    const outer = await mkdtemp(join(tmpdir(), "dagq-web-"));
    await writeFile(join(outer, "secret.txt"), "not served");
    root = `${outer}/web/`;
    await mkdir(`${root}assets`, { recursive: true });
    await writeFile(`${root}index.html`, "<!doctype html><title>dagq</title>");
    await writeFile(`${root}assets/app-abc123.js`, "console.log(1)");
    const index = await get("", "dashboard/");
    expect(index.status).toBe(200);
    expect(index.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(index.headers["content-security-policy"]).toContain("default-src 'self'");
    const js = await get("assets/app-abc123.js");
    expect(js.headers["cache-control"]).toContain("immutable");
    for (const path of ["../secret.txt", "assets/../../secret.txt", "nope.js", "/etc/passwd"]) {
      expect((await get(path)).status, path).toBe(404);
    }
    expect(index.text).toContain("<title>dagq</title>");
    const bare = await get("", "dashboard", {});
    expect(bare.status).toBe(308);
    expect(bare.headers.location).toBe("/api/dashboard/");
  });

  it("says how to build it when it is not built", async () => {
    const r = await call(dashboardHandler(null), { path: "dashboard/", params: { path: "" } });
    expect(r.status).toBe(404);
    expect((r.body as { error: string }).error).toMatch(/npm run build/);
  });
});
