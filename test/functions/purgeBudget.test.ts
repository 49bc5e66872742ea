/**
 * No purge comes near the host's limits (issue 11, item 7): the Functions host restarts the
 * worker when an invocation passes functionTimeout, and cuts an HTTP response at 230 s. Every
 * blob delete here costs 20 ms of a fake clock, so a workflow of 3,000 spilled outputs takes a
 * minute to delete: DELETE must answer within its budget and leave the rest to the control
 * queue, and each control step must stay within its own.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine/context.js";
import { REQUEST_BUDGET_MS, STEP_BUDGET_MS } from "../../src/engine/purge.js";
import { cancelWorkflowHandler } from "../../src/functions/cancelWorkflow.js";
import { controlHandler } from "../../src/functions/control.js";
import { deleteWorkflowHandler } from "../../src/functions/deleteWorkflow.js";
import { getPurgeHandler } from "../../src/functions/getPurge.js";
import { getWorkflowHandler } from "../../src/functions/getWorkflow.js";
import { type Runtime, runtimeFor } from "../../src/functions/runtime.js";
import { startPurgeHandler } from "../../src/functions/startPurge.js";
import { submitWorkflowHandler } from "../../src/functions/submitWorkflow.js";
import { memoryStorage } from "../../src/memory/memoryStorage.js";
import { StatsTelemetry } from "../../src/observability/telemetry.js";
import type { BlobStore } from "../../src/storage/ports.js";
import { call, json, pair, testConfig, testContext } from "./httpFixture.js";

const DELETE_MS = 20;
/** A step may finish the batch of deletes in flight when its budget runs out. */
const BATCH_SLACK_MS = 32 * DELETE_MS;

let now: number;
let deletes: number;
let engine: Engine;
let rt: Runtime;

beforeEach(() => {
  now = Date.parse("2030-01-01T00:00:00Z");
  deletes = 0;
  const storage = memoryStorage(() => now);
  const blobs = storage.blobs;
  const slow = new Proxy(blobs, {
    get(target, key) {
      if (key === "delete") {
        return async (path: string) => {
          now += DELETE_MS;
          deletes++;
          return target.delete(path);
        };
      }
      const value: unknown = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) satisfies BlobStore;
  const config = testConfig();
  engine = createEngine(
    { ...storage, blobs: slow },
    {
      prefix: config.DAGQ_PREFIX,
      clock: () => now,
      coordinator: { lingerMs: 5, inboxPollMs: 0 },
      telemetry: new StatsTelemetry(),
    },
  );
  rt = runtimeFor(engine, config);
});

async function submit(): Promise<string> {
  const r = await call(submitWorkflowHandler(rt), {
    method: "POST",
    path: "workflows",
    ...json(pair),
  });
  return (r.body as { id: string }).id;
}

/** Gives the workflow `n` spilled outputs, as a huge workflow would have. */
async function spill(id: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await engine.storage.blobs.write(engine.names.outputBlob(id, `t${i}`, 1), Buffer.from("{}"));
  }
}

async function blobsOf(id: string): Promise<number> {
  let n = 0;
  for await (const _ of engine.storage.blobs.list(engine.names.workflowPrefix(id))) n++;
  return n;
}

/** Runs the control queue dry, one message per step, timing each step on the fake clock. */
async function drainControl(): Promise<number[]> {
  const steps: number[] = [];
  for (;;) {
    const [msg] = await engine.storage.queues.receive(engine.names.controlQueue, 1, 600);
    if (!msg) return steps;
    const started = now;
    await controlHandler(rt)(JSON.parse(msg.text), testContext());
    steps.push(now - started);
    await engine.storage.queues.delete(engine.names.controlQueue, msg);
  }
}

describe("purging a huge workflow", () => {
  it("DELETE answers within its budget (202), the workflow is gone at once, the control queue deletes the rest", async () => {
    const id = await submit();
    await engine.coordinator.flush();
    await spill(id, 3000);
    const started = now;
    const del = await call(deleteWorkflowHandler(rt), {
      method: "DELETE",
      path: `workflows/${id}`,
      params: { id },
    });
    expect(now - started).toBeLessThanOrEqual(REQUEST_BUDGET_MS + BATCH_SLACK_MS);
    expect(del).toMatchObject({ status: 202, body: { id, done: false } });
    expect(
      (await call(getWorkflowHandler(rt), { path: `workflows/${id}`, params: { id } })).status,
    ).toBe(404);
    expect(await blobsOf(id)).toBeGreaterThan(0);

    const steps = await drainControl();
    expect(steps.length).toBeGreaterThanOrEqual(2);
    for (const ms of steps) expect(ms).toBeLessThanOrEqual(STEP_BUDGET_MS + BATCH_SLACK_MS);
    expect(await blobsOf(id)).toBe(0);
  });

  it("a small workflow is still deleted in the request: 204", async () => {
    const id = await submit();
    await engine.coordinator.flush();
    const del = await call(deleteWorkflowHandler(rt), {
      method: "DELETE",
      path: `workflows/${id}`,
      params: { id },
    });
    expect(del.status).toBe(204);
    expect(await blobsOf(id)).toBe(0);
    expect(await drainControl()).toEqual([]);
  });

  it("a purge job takes a huge workflow across steps, each within its budget, and spares running ones", async () => {
    const ids = [await submit(), await submit(), await submit()];
    const running = await submit();
    for (const id of ids) {
      await call(cancelWorkflowHandler(rt), {
        method: "POST",
        path: `workflows/${id}/cancel`,
        params: { id },
      });
    }
    await engine.coordinator.flush();
    await spill(ids[1]!, 4000);
    const started = await call(startPurgeHandler(rt), {
      method: "POST",
      path: "purge",
      ...json({ scope: "terminal" }),
    });
    const { job } = started.body as { job: string };
    const steps = await drainControl();
    expect(steps.length).toBeGreaterThanOrEqual(3);
    for (const ms of steps) expect(ms).toBeLessThanOrEqual(STEP_BUDGET_MS + BATCH_SLACK_MS);
    for (const id of ids) expect(await blobsOf(id), id).toBe(0);
    expect(await blobsOf(running)).toBeGreaterThan(0);
    expect(
      (await call(getPurgeHandler(rt), { path: `purge/${job}`, params: { job } })).body,
    ).toEqual({
      job,
      scope: "terminal",
      purged: 3,
      done: true,
    });
    expect(deletes).toBeGreaterThan(4000);
  });
});
