import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.js";
import { readHostJson } from "../../src/host/hostJson.js";
import { type LocalHost, startLocalHost } from "../../src/host/localHost.js";
import { type TaskMessage, TaskMessageSchema } from "../../src/protocol/messages.js";
import { queueStore, type TestAzurite, useAzurite, waitFor } from "./azuriteFixture.js";

const KEY = "e2e-key";
let azurite: TestAzurite;
let host: LocalHost;
let api: string;
const logs: string[] = [];
const prefix = `e${Math.random()
  .toString(36)
  .slice(2, 9)
  .replace(/[^a-z0-9]/g, "a")}`;

beforeAll(async () => {
  azurite = await useAzurite();
  const settings = await readHostJson("host.json");
  host = await startLocalHost({
    config: readConfig({ DagqStorage: azurite.connectionString, DAGQ_PREFIX: prefix }),
    // The repository's host.json, polling the completion queue a little faster for the test.
    hostJson: { ...settings, queues: { ...settings.queues, maxPollingIntervalMs: 300 } },
    keys: { function: [KEY] },
    log: (level, message) => logs.push(`${level} ${message}`),
    statsEveryMs: 500,
  });
  api = `${host.url}/api`;
});

afterAll(async () => {
  await host?.stop();
  await azurite?.stop();
});

const headers = { "x-functions-key": KEY, "content-type": "application/json" };

async function submit(definition: unknown): Promise<string> {
  const r = await fetch(`${api}/workflows`, {
    method: "POST",
    headers,
    body: JSON.stringify(definition),
  });
  expect(r.status).toBe(201);
  return ((await r.json()) as { id: string }).id;
}

async function status(id: string): Promise<{ status: string; counts: Record<string, number> }> {
  const r = await fetch(`${api}/workflows/${id}?detail=true`, { headers });
  expect(r.status).toBe(200);
  return (await r.json()) as { status: string; counts: Record<string, number> };
}

/** A worker played by the test: takes task messages, reports started + completed for each. */
async function work(until: () => Promise<boolean>): Promise<TaskMessage[]> {
  const queues = queueStore(azurite.connectionString);
  const done: TaskMessage[] = [];
  while (!(await until())) {
    for (const m of await queues.receive(`${prefix}-tasks-default`, 32, 30)) {
      const task = TaskMessageSchema.parse(JSON.parse(m.text));
      const base = { workflow_id: task.workflow_id, task: task.task, attempt: task.attempt };
      const report = {
        v: 1,
        completions: [
          { kind: "started", ...base, worker: "test" },
          {
            kind: "completed",
            ...base,
            worker: "test",
            output: { from: task.task, inputs: task.inputs ?? {} },
          },
        ],
      };
      await queues.send(task.completion_queue, JSON.stringify(report));
      await queues.delete(`${prefix}-tasks-default`, m);
      done.push(task);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return done;
}

describe("the local host end to end on Azurite", () => {
  it("runs a workflow submitted over HTTP to completion through the completion trigger", async () => {
    const id = await submit({
      name: "e2e",
      tasks: [
        { name: "a", command: "echo a" },
        { name: "b", command: "echo b", depends_on: ["a"] },
        { name: "c", command: "echo c", depends_on: ["a", "b"] },
      ],
    });
    const tasks = await work(async () => (await status(id)).status === "completed");
    expect(tasks.map((t) => t.task)).toEqual(["a", "b", "c"]);
    expect(tasks.every((t) => t.completion_queue === `${prefix}-completions`)).toBe(true);
    expect(tasks[2]!.inputs).toEqual({
      a: { from: "a", inputs: {} },
      b: { from: "b", inputs: { a: { from: "a", inputs: {} } } },
    });
    expect(await status(id)).toMatchObject({ status: "completed", counts: { completed: 3 } });
    // The index row (what GET without detail reads) catches up within its refresh interval.
    await waitFor("the index row", async () => {
      const r = await fetch(`${api}/workflows/${id}`, { headers });
      return ((await r.json()) as { status: string }).status === "completed";
    });
    const listed = await fetch(`${api}/workflows?status=completed`, { headers });
    expect(
      ((await listed.json()) as { workflows: Array<{ id: string }> }).workflows.map((w) => w.id),
    ).toEqual([id]);
    await waitFor("a stats line", async () =>
      logs.some((l) => /^info stats \d+s: completions [1-9]/.test(l)),
    );
  });

  it("cancels a running workflow over HTTP", async () => {
    const id = await submit({ name: "stays", tasks: [{ name: "slow", command: "sleep 100" }] });
    const r = await fetch(`${api}/workflows/${id}/cancel`, {
      method: "POST",
      headers,
      body: JSON.stringify({ reason: "test is over" }),
    });
    expect(r.status).toBe(202);
    expect(await r.json()).toEqual({ id, cancel: "applied" });
    expect(await status(id)).toMatchObject({ status: "cancelled", counts: { cancelled: 1 } });
    const summary = await fetch(`${api}/summary`, { headers });
    expect(await summary.json()).toMatchObject({ workflows: { cancelled: 1 } });
    const health = await fetch(`${api}/health`, { headers });
    expect(health.status).toBe(200);
  });

  it("releases every lease when it stops", async () => {
    await host.stop();
    const engine = await host.runtime.engine();
    expect(engine.coordinator.held()).toEqual([]);
    expect(logs.at(-1)).toBe("info local host: stopped");
    expect(logs.filter((l) => l.startsWith("error"))).toEqual([]);
  });
});
