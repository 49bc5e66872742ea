import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { connectStorage } from "../../src/azure/connect.js";
import { compileDefinition } from "../../src/core/index.js";
import { createEngine, provision } from "../../src/engine/context.js";

import { getTasks } from "../../src/engine/queries.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { runLocalReference } from "../engine/reference.js";
import { azuriteConnectionString } from "../support/azurite.js";
import { prng } from "../unit/simulator.js";
import { until } from "../worker/pump.js";
import { fakeWorkers, finalStates, mixedBehaviour, mixedWorkflow } from "./fakeWorkers.js";

const children = new Set<ChildProcess>();
afterEach(() => {
  for (const c of children) c.kill("SIGKILL");
  children.clear();
});

/** `dagq host` as its own process, with short leases and frequent sweeps so crashes heal fast. */
function startHost(cs: string, prefix: string, hostJson: string): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/cli/main.ts",
      "host",
      "--port",
      "0",
      "--prefix",
      prefix,
      "--host-json",
      hostJson,
      // Azure holds a message 10 minutes; a dead host's messages come back within 15 s here.
      "--message-hold",
      "15",
    ],
    {
      env: {
        ...process.env,
        DagqStorage: cs,
        DAGQ_LEASE_SECONDS: "15",
        DAGQ_SWEEP_RUNNING_SCHEDULE: "*/2 * * * * *",
        DAGQ_SWEEP_ORPHANS_SCHEDULE: "*/2 * * * * *",
      },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  child.stderr?.resume();
  children.add(child);
  return child;
}

describe("a host killed with SIGKILL at random points during ingest", () => {
  it("every workflow still finishes, with exactly the states run-local reaches", async () => {
    const cs = azuriteConnectionString();
    const prefix = `k${Math.random().toString(36).slice(2, 9)}`;
    const dir = mkdtempSync(join(tmpdir(), "dagq-crash-"));
    const hostJson = join(dir, "host.json");
    writeFileSync(
      hostJson,
      JSON.stringify({
        version: "2.0",
        functionTimeout: "00:00:15",
        extensions: {
          queues: {
            messageEncoding: "none",
            batchSize: 16,
            maxPollingInterval: "00:00:00.300",
            visibilityTimeout: "00:00:01",
            maxDequeueCount: 20,
          },
        },
      }),
    );
    const storage = connectStorage({ connectionString: cs, container: `${prefix}-workflows` });
    const client = createEngine(storage, { prefix });
    await provision(client);
    const def = mixedWorkflow(150);
    const ids = await Promise.all(
      [1, 2, 3].map(() => submitWorkflow(client, def).then((s) => s.id)),
    );
    await client.coordinator.flush();
    const random = prng(Date.now() % 1_000_000);
    let host = startHost(cs, prefix, hostJson);
    const workers = fakeWorkers(storage.queues, prefix, mixedBehaviour, random, {
      perPoll: 16,
      pauseMs: 100,
    });
    const doneTasks = async () => {
      const all = await Promise.all(ids.map((id) => getTasks(client, id, {})));
      return all
        .flatMap((t) => t!.tasks)
        .filter((x) => !["pending", "ready", "running"].includes(x.status)).length;
    };
    const total = ids.length * def.tasks.length;
    const finished = async () => (await doneTasks()) === total;
    let kills = 0;
    try {
      for (; kills < 3; kills++) {
        // Kill only while the host is ingesting: once it made progress, at a random moment.
        const before = await doneTasks();
        await until("the host to make progress", async () => (await doneTasks()) > before, 60_000);
        if (await finished()) break;
        await new Promise((r) => setTimeout(r, random() * 400));
        host.kill("SIGKILL");
        host = startHost(cs, prefix, hostJson);
      }
      await until("every workflow to finish after the crashes", finished, 150_000);
    } finally {
      await workers.stop();
      host.kill("SIGTERM");
    }
    expect(kills).toBeGreaterThanOrEqual(2);
    const expected = runLocalReference(compileDefinition(def), mixedBehaviour);
    for (const states of await finalStates(client, ids)) expect(states).toEqual(expected);
  }, 200_000);
});
