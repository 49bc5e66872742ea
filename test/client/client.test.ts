import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import {
  DagqApiError,
  DagqClient,
  DagqConnectionError,
  DagqResponseError,
  type DoctorReport,
  type Overview,
  type PurgeProgress,
  type Submitted,
  type TaskView,
  type WorkflowStatus,
} from "../../src/client/index.js";
import type * as core from "../../src/core/index.js";
import type * as doctor from "../../src/engine/doctor.js";
import type * as purge from "../../src/engine/purge.js";
import type * as queries from "../../src/engine/queries.js";
import type * as submit from "../../src/engine/submit.js";
import type { LocalHost } from "../../src/host/localHost.js";
import { playWorker, startTestHost, uniquePrefix } from "../support/testHost.js";

const KEY = "client-test-key";
const prefix = uniquePrefix("cl");
let host: LocalHost;
let client: DagqClient;

beforeAll(async () => {
  host = await startTestHost(prefix, KEY);
  client = new DagqClient({ url: host.url, key: KEY });
});

afterAll(async () => {
  await host?.stop();
});

async function until<T>(probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

const pipeline = {
  name: "pipeline",
  tasks: [
    { name: "prep/a", command: "echo" },
    { name: "train/x", command: "echo", depends_on: ["prep/a"] },
    { name: "train/y", command: "echo", depends_on: ["prep/a"] },
    { name: "train/z", command: "fail", depends_on: ["prep/a"] },
    { name: "report", command: "echo", depends_on: ["train/x", "train/y", "train/z"] },
  ],
};

describe("DagqClient against a local host on Azurite", () => {
  const ids: string[] = [];

  it("reads the health report", async () => {
    const report = await client.health();
    expect(report.verdict).toBe("ok");
    expect(report.checks.map((c) => [c.name, c.verdict])).toEqual([
      ["blob", "ok"],
      ["queue", "ok"],
      ["table", "ok"],
      ["poison queues", "ok"],
      ["stuck workflows", "ok"],
      ["stale running tasks", "ok"],
    ]);
    expect(report.queues).toContainEqual({ name: `${prefix}-completions`, depth: 0 });
  });

  it("submits an object and YAML text, and reads the status with and without layers", async () => {
    const submitted = await client.submit(pipeline);
    ids.push(submitted.id);
    expect(submitted).toEqual({
      id: submitted.id,
      status: "running",
      tasks: 5,
      url: `${host.url}/api/workflows/${submitted.id}`,
    });
    const fromIndex = await client.status(submitted.id);
    expect(fromIndex).toMatchObject({ id: submitted.id, name: "pipeline", total: 5 });
    expect(fromIndex.layers).toBeUndefined();
    const detailed = await client.status(submitted.id, { detail: true });
    expect(detailed.layers?.map((l) => l.ready + l.pending + l.running + l.completed)).toEqual([
      1, 3, 1,
    ]);
    const yaml = await client.submit(
      "name: from-yaml\ntasks:\n  - name: only\n    command: echo\n",
    );
    ids.push(yaml.id);
    expect(yaml).toMatchObject({ status: "running", tasks: 1 });
  });

  it("runs both to the end; tasks by prefix and status, in pages and through the iterator", async () => {
    const [id, yamlId] = ids as [string, string];
    await playWorker(host, prefix, async () => {
      const [a, b] = await Promise.all([
        client.status(id, { detail: true }),
        client.status(yamlId, { detail: true }),
      ]);
      return a.status !== "running" && b.status !== "running";
    });
    expect((await client.status(id, { detail: true })).status).toBe("failed");
    const train = await client.tasks(id, { prefix: "train/" });
    expect(train.tasks.map((t) => [t.name, t.status, t.attempts, t.output])).toEqual([
      ["train/x", "completed", 1, { from: "train/x" }],
      ["train/y", "completed", 1, { from: "train/y" }],
      ["train/z", "failed", 1, null],
    ]);
    expect(train.tasks[2]!.reason).toBe("exit code 3: boom");
    expect(train.next).toBeNull();
    const page = await client.tasks(id, { prefix: "train/", limit: 2 });
    expect([page.tasks.map((t) => t.name), page.next]).toEqual([["train/x", "train/y"], "train/y"]);
    const bad = await client.tasks(id, { status: ["failed", "upstream_failed"] });
    expect(bad.tasks.map((t) => [t.name, t.status])).toEqual([
      ["report", "upstream_failed"],
      ["train/z", "failed"],
    ]);
    const names: string[] = [];
    for await (const t of client.tasksAll(id, { pageSize: 2 })) names.push(t.name);
    expect(names).toEqual(["prep/a", "report", "train/x", "train/y", "train/z"]);
  });

  it("lists workflows newest first, by page and through the iterator", async () => {
    const cancelMe = await client.submit({
      name: "cancel-me",
      tasks: [{ name: "slow", command: "sleep 100" }],
    });
    ids.push(cancelMe.id);
    const first = await client.list({ limit: 1 });
    expect(first.workflows.map((w) => w.id)).toEqual([cancelMe.id]);
    expect(first.next).not.toBeNull();
    const second = await client.list({ limit: 1, cursor: first.next! });
    expect(second.workflows).toHaveLength(1);
    const all: string[] = [];
    for await (const w of client.listAll({ pageSize: 1 })) all.push(w.id);
    expect(all).toEqual([...ids].reverse());
    const failed = await until(async () => {
      const p = await client.list({ status: "failed" });
      return p.workflows.length > 0 ? p : null;
    });
    expect(failed.workflows.map((w) => [w.id, w.status])).toEqual([[ids[0], "failed"]]);
  });

  it("sums workflows by state", async () => {
    const overview = await until(async () => {
      const o = await client.summary();
      return o.workflows.completed === 1 ? o : null;
    });
    expect(overview.workflows).toEqual({
      pending: 0,
      running: 1,
      completed: 1,
      failed: 1,
      cancelled: 0,
    });
    expect(overview.runningTasks).toMatchObject({ ready: 1, completed: 0 });
  });

  it("cancels with a reason, and deletes", async () => {
    const id = ids[2]!;
    expect(await client.cancel(id, "test is over")).toEqual({ id, cancel: "applied" });
    expect(await client.status(id, { detail: true })).toMatchObject({
      status: "cancelled",
      reason: "test is over",
      counts: { cancelled: 1 },
    });
    await client.delete(id);
    const e = await rejection(client.status(id));
    expect(e).toBeInstanceOf(DagqApiError);
    expect(e).toMatchObject({ status: 404, error: `no workflow "${id}"` });
  });

  it("maps refusals to DagqApiError: definition issues, bad query, wrong key, unknown id", async () => {
    const definition = await rejection(
      client.submit("name: bad\ntasks:\n  - name: a\n    command: echo\n    depends_on: [zz]\n"),
    );
    expect(definition).toBeInstanceOf(DagqApiError);
    expect(definition).toMatchObject({
      request: "POST /api/workflows",
      status: 400,
      error:
        'invalid workflow definition:\ntasks[0].depends_on[0]: task "a": depends on unknown task "zz"',
      issues: [
        {
          path: "tasks[0].depends_on[0]",
          code: "UNKNOWN_TASK",
          message: 'task "a": depends on unknown task "zz"',
        },
      ],
    });
    const query = await rejection(client.list({ limit: 0 }));
    expect(query).toMatchObject({
      status: 400,
      error: "invalid query: limit: must be at least 1",
      issues: [{ path: "limit", message: "must be at least 1" }],
    });
    const key = await rejection(new DagqClient({ url: host.url, key: "wrong" }).summary());
    expect(key).toMatchObject({
      status: 401,
      error: "missing or invalid function key (x-functions-key header or code parameter)",
    });
    const unknown = await rejection(client.tasks("no-such-workflow"));
    expect(unknown).toMatchObject({ status: 404, error: 'no workflow "no-such-workflow"' });
  });

  it("purges terminal workflows through a purge job", async () => {
    // Wait until the index shows what the states say: the purge reads the index.
    await until(async () => ((await client.list()).workflows.length === 2 ? true : null));
    const started = await client.purge({ scope: "terminal" });
    expect(started).toEqual({
      job: started.job,
      scope: "terminal",
      purged: 0,
      done: false,
      url: `${host.url}/api/purge/${started.job}`,
    });
    expect(started.job).toMatch(/^[0-9a-f]{12}$/);
    const done = await until(async () => {
      const p = await client.purgeStatus(started.job);
      return p.done ? p : null;
    });
    expect(done).toEqual({ job: started.job, scope: "terminal", purged: 2, done: true });
    expect((await client.list()).workflows).toEqual([]);
    expect(await rejection(client.purgeStatus("0123456789ab"))).toMatchObject({ status: 404 });
  });
});

describe("DagqClient transport", () => {
  it("says clearly when nothing listens, after retrying a GET", async () => {
    const port = await closedPort();
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const c = new DagqClient({ url: `http://127.0.0.1:${port}`, fetch: counting, retryDelayMs: 1 });
    const e = await rejection(c.status("abc-123"));
    expect(e).toBeInstanceOf(DagqConnectionError);
    expect((e as Error).message).toBe(
      `cannot reach dagq at http://127.0.0.1:${port}: is \`dagq host\` running?`,
    );
    expect(calls).toBe(3);
  });

  it("retries GETs on 5xx, never POSTs", async () => {
    const statuses: number[] = [];
    const seen: string[] = [];
    const flaky: typeof fetch = async (input, init) => {
      seen.push(`${init?.method} ${new URL(String(input)).pathname}`);
      const status = statuses.shift() ?? 200;
      const progress = { job: "0123456789ab", scope: "all", purged: 7, done: true };
      return new Response(JSON.stringify(status === 200 ? progress : { error: "busy" }), {
        status,
      });
    };
    const c = new DagqClient({ url: "http://dagq.test/api/", fetch: flaky, retryDelayMs: 1 });
    statuses.push(503);
    expect(await rejection(c.cancel("abc-123"))).toMatchObject({ status: 503, error: "busy" });
    expect(seen).toEqual(["POST /api/workflows/abc-123/cancel"]);
    seen.length = 0;
    statuses.push(503, 500);
    expect(await c.purgeStatus("0123456789ab")).toMatchObject({ purged: 7, done: true });
    expect(seen).toEqual(Array(3).fill("GET /api/purge/0123456789ab"));
    seen.length = 0;
    statuses.push(503, 503, 503);
    expect(await rejection(c.purgeStatus("0123456789ab"))).toMatchObject({ status: 503 });
    expect(seen).toHaveLength(3);
  });

  it("rejects answers of the wrong shape or not JSON, and non-API errors", async () => {
    const answer =
      (body: string, status = 200): typeof fetch =>
      async () =>
        new Response(body, { status });
    const wrong = new DagqClient({ url: "http://dagq.test", fetch: answer('{"id":1}') });
    const e = await rejection(wrong.status("abc-123"));
    expect(e).toBeInstanceOf(DagqResponseError);
    expect((e as Error).message).toMatch(
      /^unexpected response to GET \/api\/workflows\/abc-123 \(200\): id: Invalid input: expected string, received number; name: /,
    );
    const html = new DagqClient({ url: "http://dagq.test", fetch: answer("<html>") });
    expect(await rejection(html.summary())).toMatchObject({
      message: "unexpected response to GET /api/summary (200): not JSON",
    });
    const proxy = new DagqClient({ url: "http://dagq.test", fetch: answer("Bad Gateway", 404) });
    expect(await rejection(proxy.summary())).toMatchObject({ status: 404, error: "Bad Gateway" });
  });

  it("stops at once on an aborted signal", async () => {
    const reason = new Error("stop");
    const c = new DagqClient({ url: host.url, key: KEY });
    expect(await rejection(c.status("abc-123", { signal: AbortSignal.abort(reason) }))).toBe(
      reason,
    );
  });

  it("types every response at least as fully as the engine's own types", () => {
    expectTypeOf<WorkflowStatus>().toExtend<queries.WorkflowStatus>();
    expectTypeOf<Overview>().toExtend<queries.Overview>();
    expectTypeOf<TaskView>().toExtend<core.TaskView>();
    expectTypeOf<Submitted>().toExtend<submit.Submitted>();
    expectTypeOf<PurgeProgress>().toExtend<purge.PurgeProgress>();
    expectTypeOf<DoctorReport>().toExtend<doctor.DoctorReport>();
  });
});
