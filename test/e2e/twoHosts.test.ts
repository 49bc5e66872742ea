import { afterEach, describe, expect, it } from "vitest";
import { connectStorage } from "../../src/azure/connect.js";
import { readConfig } from "../../src/config.js";
import { compileDefinition } from "../../src/core/index.js";
import { createEngine } from "../../src/engine/context.js";
import { getTasks } from "../../src/engine/queries.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { readHostJson } from "../../src/host/hostJson.js";
import { type LocalHost, startLocalHost } from "../../src/host/localHost.js";
import type { StatsTelemetry } from "../../src/observability/telemetry.js";
import { runLocalReference } from "../engine/reference.js";
import { azuriteConnectionString } from "../support/azurite.js";
import { until } from "../worker/pump.js";
import { fakeWorkers, finalStates, mixedBehaviour, mixedWorkflow } from "./fakeWorkers.js";

const hosts: LocalHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});

describe("two local hosts on one Azurite", () => {
  it("ingest the same workflows at once: nothing lost, nothing applied twice, final states equal run-local's", async () => {
    const cs = azuriteConnectionString();
    const prefix = `h${Math.random().toString(36).slice(2, 9)}`;
    const config = readConfig({ DagqStorage: cs, DAGQ_PREFIX: prefix });
    const settings = await readHostJson("host.json");
    const hostJson = {
      ...settings,
      queues: { ...settings.queues, maxPollingIntervalMs: 200, batchSize: 8 },
    };
    for (let k = 0; k < 2; k++)
      hosts.push(
        await startLocalHost({ config, hostJson, keys: { function: ["k"] }, statsEveryMs: 0 }),
      );
    const storage = connectStorage({ connectionString: cs, container: `${prefix}-workflows` });
    const client = createEngine(storage, { prefix });
    const def = mixedWorkflow(40);
    const ids = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(() => submitWorkflow(client, def).then((s) => s.id)),
    );

    await client.coordinator.flush();
    const workers = fakeWorkers(storage.queues, prefix, mixedBehaviour);
    try {
      await until(
        "every workflow to finish",
        async () => {
          const tasks = await Promise.all(ids.map((id) => getTasks(client, id, {})));
          return tasks.every((t) =>
            t!.tasks.every((x) => !["pending", "ready", "running"].includes(x.status)),
          );
        },
        60_000,
      );
    } finally {
      await workers.stop();
    }
    const expected = runLocalReference(compileDefinition(def), mixedBehaviour);
    for (const states of await finalStates(client, ids)) expect(states).toEqual(expected);
    // Every task message was for a distinct (workflow, task, attempt): no double dispatch.
    const keys = workers.taken.map((t) => `${t.workflow_id}/${t.task}#${t.attempt}`);
    expect(new Set(keys).size).toBe(keys.length);
    // The run was concurrent: both hosts applied completions, or one parked events for the
    // other (which host wins each poll is up to timing, so either shows the overlap).
    const stats = await Promise.all(
      hosts.map(async (h) => (await h.runtime.engine()).telemetry as StatsTelemetry),
    );
    const bothApplied = stats.every((s) => s.counter("events.applied") > 0);
    const parked = stats.reduce((n, s) => n + s.counter("inbox.parked"), 0);
    expect(bothApplied || parked > 0).toBe(true);
    expect(expected.flaky).toEqual(["completed", 2, { task: "flaky", attempt: 2, ok: true }]);
    expect(expected["after-never"]?.[0]).toBe("skipped");
  }, 90_000);
});
