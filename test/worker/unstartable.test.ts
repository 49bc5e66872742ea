/**
 * A command or an environment value with a NUL byte passes the definition's checks, but no
 * process can be started with it: spawn throws. Found by the task-message fuzz: the worker
 * logged the throw and left the message, which came back every visibility timeout, for good,
 * and the task never ended. It is an attempt that could not start, like a missing shell.
 */
import { afterEach, describe, expect, it } from "vitest";
import { getStatus, getTasks } from "../../src/engine/queries.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { runShellTask } from "../../src/worker/shellTask.js";
import { until, workerWorld } from "./pump.js";

const base = { env: {}, inputs: {}, workflowId: "wf", task: "t", attempt: 1, timeoutS: null };
const NUL_REASON =
  "could not start /bin/sh: the command or an environment variable holds a NUL byte";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

describe("an attempt no process can be started for", () => {
  it("is a failed start, for a NUL in the command or in an environment value", async () => {
    for (const req of [
      { ...base, command: "tr\u0000ue" },
      { ...base, command: "true", env: { A: "x\u0000y" } },
    ])
      expect(await runShellTask(req)).toMatchObject({ exitCode: null, error: NUL_REASON });
  });

  it("fails on the worker, with the reason, instead of leaving its message to come back", async () => {
    const { engine, storage, stop } = await workerWorld({ visibilityS: 1 });
    stops.push(stop);
    const { id } = await submitWorkflow(engine, {
      name: "nul",
      tasks: [{ name: "a", command: "true", env: { A: "x\u0000y" } }],
    });
    const done = await until("the workflow to end", async () => {
      const s = await getStatus(engine, id, true);
      return s?.status === "running" ? null : s;
    });
    expect(done.status).toBe("failed");
    expect((await getTasks(engine, id, {}))!.tasks[0]).toMatchObject({
      status: "failed",
      reason: NUL_REASON,
    });
    expect(await storage.queues.depth(engine.names.taskQueue("default"))).toBe(0);
  });
});
