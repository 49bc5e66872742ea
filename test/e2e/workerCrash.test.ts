import { type ChildProcess, spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.js";
import { getStatus, getTasks } from "../../src/engine/queries.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { readHostJson } from "../../src/host/hostJson.js";
import { type LocalHost, startLocalHost } from "../../src/host/localHost.js";
import { azuriteConnectionString } from "../support/azurite.js";
import { until } from "../worker/pump.js";

const children = new Set<ChildProcess>();
let host: LocalHost | undefined;
afterEach(async () => {
  for (const c of children) c.kill("SIGKILL");
  children.clear();
  await host?.stop();
});

function startWorkerProcess(cs: string, prefix: string): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/cli/main.ts",
      "worker",
      "--prefix",
      prefix,
      "--visibility",
      "3",
      "--concurrency",
      "2",
    ],
    {
      env: { ...process.env, DagqStorage: cs },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  child.stderr?.resume();
  children.add(child);
  return child;
}

describe("a worker killed with SIGKILL mid-task", () => {
  it("the task's message comes back, another worker runs the same attempt, and it finishes", async () => {
    const cs = azuriteConnectionString();
    const prefix = `w${Math.random().toString(36).slice(2, 9)}`;
    const settings = await readHostJson("host.json");
    host = await startLocalHost({
      config: readConfig({ DagqStorage: cs, DAGQ_PREFIX: prefix }),
      hostJson: { ...settings, queues: { ...settings.queues, maxPollingIntervalMs: 200 } },
      keys: { function: ["k"] },
      statsEveryMs: 0,
    });
    const engine = await host.runtime.engine();
    const { id } = await submitWorkflow(engine, {
      name: "crash",
      tasks: [
        {
          name: "long",
          command: `sleep 2; printf '{"attempt":%s}' "$DAGQ_ATTEMPT" > "$DAGQ_OUTPUT"`,
        },
        { name: "next", command: "true", depends_on: ["long"] },
      ],
    });
    const first = startWorkerProcess(cs, prefix);
    await until(
      "the task to start",
      async () => (await getTasks(engine, id, { prefix: "long" }))?.tasks[0]?.status === "running",
      30_000,
    );
    first.kill("SIGKILL");
    startWorkerProcess(cs, prefix);
    const done = await until(
      "the workflow to finish",
      async () => {
        const s = await getStatus(engine, id, true);
        return s && s.status !== "running" ? s : null;
      },
      60_000,
    );
    expect(done.status).toBe("completed");
    const long = (await getTasks(engine, id, { prefix: "long" }))!.tasks[0]!;
    expect(long).toMatchObject({ status: "completed", attempts: 1, output: { attempt: 1 } });
  }, 90_000);
});
