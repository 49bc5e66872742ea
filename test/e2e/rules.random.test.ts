import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectStorage } from "../../src/azure/connect.js";
import { DagqClient } from "../../src/client/index.js";
import { compileDefinition } from "../../src/core/index.js";
import type { LocalHost } from "../../src/host/localHost.js";
import { runLocal } from "../../src/local/runner.js";
import { type RunningWorker, startWorker } from "../../src/worker/startWorker.js";
import { azuriteConnectionString } from "../support/azurite.js";
import {
  definitionOf,
  type Final,
  oracle,
  shellCommand,
  type WorkflowGen,
  workflowArb,
} from "../support/rulesOracle.js";
import { startTestHost, uniquePrefix } from "../support/testHost.js";

/**
 * Random workflows with real shell commands, through run-local AND through the serverless path
 * (local functions host on Azurite, two real workers), each compared with the oracle written
 * from the README. A new seed each run; a failure prints it.
 */
const KEY = "rules-random-key";
const prefix = uniquePrefix("r");
let host: LocalHost;
let workers: RunningWorker[] = [];

beforeAll(async () => {
  host = await startTestHost(prefix, KEY);
  const storage = connectStorage({
    connectionString: azuriteConnectionString(),
    container: `${prefix}-workflows`,
  });
  workers = [1, 2].map((k) =>
    startWorker({
      storage,
      prefix,
      queue: "default",
      concurrency: 6,
      pollMaxMs: 200,
      signalPollMs: 1000,
      shutdownGraceMs: 2000,
      id: `rules-${k}`,
    }),
  );
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await host?.stop();
});

type Seen = { status: string; attempts: number; output: unknown };

/** What a user sees of the oracle's verdict: attempts that ran, outputs of completed tasks. */
function expected(w: WorkflowGen): { workflow: string; tasks: Record<string, Seen> } {
  const o = oracle(w);
  const seen = (f: Final): Seen => ({
    status: f.status,
    attempts:
      f.status === "completed" || (f.status === "failed" && !f.conditionError) ? f.attempts : 0,
    output: f.status === "completed" ? f.output : null,
  });
  return {
    workflow: o.workflow,
    tasks: Object.fromEntries(o.tasks.map((f, i) => [`t${i}`, seen(f)])),
  };
}

describe("random workflows: run-local and the serverless path against the README's oracle", () => {
  it("every task's state, attempts and output, and every workflow's status, match", async () => {
    const seed = Date.now() % 2 ** 31;
    const workflows = fc.sample(workflowArb(10), { numRuns: 10, seed }).map((w) => ({
      ...w,
      tasks: w.tasks.map((t) => ({ ...t, retries: Math.min(t.retries, 1) })),
    }));
    const client = new DagqClient({ url: `${host.url}/api`, key: KEY });
    const defs = workflows.map((w) =>
      compileDefinition({
        ...(definitionOf(w, shellCommand) as object),
        defaults: { retry_backoff_s: 0 },
      }),
    );
    const ids = await Promise.all(defs.map((d) => client.submit(d.definition).then((s) => s.id)));
    const locals = await Promise.all(defs.map((d) => runLocal(d, { concurrency: 4 })));
    for (const [k, id] of ids.entries()) {
      const want = expected(workflows[k]!);
      const where = `seed ${seed}, workflow ${k}: ${JSON.stringify(workflows[k])}`;
      const local = locals[k]!;
      expect(
        { workflow: local.status, tasks: project(local.tasks) },
        `run-local, ${where}`,
      ).toEqual(want);
      const final = await client.waitFor(id, { timeoutMs: 60_000 });
      const tasks: Record<string, Seen> = {};
      for await (const t of client.tasksAll(id)) tasks[t.name] = t;
      expect({ workflow: final.status, tasks: project(tasks) }, `serverless, ${where}`).toEqual(
        want,
      );
    }
  }, 180_000);
});

function project(tasks: Readonly<Record<string, Seen>>): Record<string, Seen> {
  return Object.fromEntries(
    Object.entries(tasks).map(([name, t]) => [
      name,
      { status: t.status, attempts: t.attempts, output: t.output },
    ]),
  );
}
