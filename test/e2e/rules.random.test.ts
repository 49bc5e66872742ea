import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectStorage } from "../../src/azure/connect.js";
import { DagqApiError, DagqClient } from "../../src/client/index.js";
import { compileDefinition, type RunState, snapshot } from "../../src/core/index.js";
import type { LocalHost } from "../../src/host/localHost.js";
import { runLocal } from "../../src/local/runner.js";
import { type RunningWorker, startWorker } from "../../src/worker/startWorker.js";
import { azuriteConnectionString } from "../support/azurite.js";
import {
  definitionOf,
  type Final,
  type OracleResult,
  oracle,
  oracleRerun,
  type RerunGen,
  rerunArb,
  shellCommand,
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

/**
 * What a user sees of the oracle's verdict: attempts that ran (a task that did not run in its
 * last round shows those of the rounds before), outputs of completed tasks; the instances of
 * maps by their names.
 */
function expected(o: OracleResult): { workflow: string; tasks: Record<string, Seen> } {
  const seen = (f: Final): Seen => ({
    status: f.status,
    attempts:
      f.status === "completed" || (f.status === "failed" && !f.conditionError && !f.mapError)
        ? f.attempts
        : f.attempts - 1,
    output: f.status === "completed" ? f.output : null,
  });
  return {
    workflow: o.workflow,
    tasks: {
      ...Object.fromEntries(o.tasks.map((f, i) => [`t${i}`, seen(f)])),
      ...Object.fromEntries(Object.entries(o.instances).map(([n, f]) => [n, seen(f)])),
    },
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
    const runs: RunState[] = [];
    const locals = await Promise.all(
      defs.map((d, k) =>
        runLocal(d, {
          concurrency: 4,
          onProgress: (_, run) => {
            runs[k] = run;
          },
        }),
      ),
    );
    for (const [k, id] of ids.entries()) {
      const want = expected(oracle(workflows[k]!));
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

    // Then a random rerun of each, on both paths: README, "Rerun".
    const reruns = workflows.map(
      (w, k) => fc.sample(rerunArb(w.tasks.length), { numRuns: 1, seed: seed + k })[0]!,
    );
    for (const [k, id] of ids.entries()) {
      const w = workflows[k]!;
      const r = reruns[k]!;
      const where = `seed ${seed}, workflow ${k}, rerun ${JSON.stringify(r)}: ${JSON.stringify(w)}`;
      const after = oracleRerun(w, oracle(w), r);
      const options = rerunOptions(r);
      if (after === "refused") {
        await expect(client.rerun(id, options), `serverless, ${where}`).rejects.toBeInstanceOf(
          DagqApiError,
        );
        continue;
      }
      const want = expected(after);
      const local = await runLocal(defs[k]!, {
        concurrency: 4,
        resume: {
          saved: { id: runs[k]!.id, snapshot: snapshot(runs[k]!) },
          rerun: {
            ...(r.chosen ? { tasks: r.chosen } : {}),
            ...(r.failed ? { failed: true } : {}),
            ...(r.downstream ? { downstream: true } : {}),
          },
        },
      });
      expect(
        { workflow: local.status, tasks: project(local.tasks) },
        `run-local --resume, ${where}`,
      ).toEqual(want);
      await client.rerun(id, options);
      const final = await client.waitFor(id, { timeoutMs: 60_000 });
      const tasks: Record<string, Seen> = {};
      for await (const t of client.tasksAll(id)) tasks[t.name] = t;
      expect(
        { workflow: final.status, tasks: project(tasks) },
        `serverless rerun, ${where}`,
      ).toEqual(want);
    }
  }, 240_000);
});

function project(tasks: Readonly<Record<string, Seen>>): Record<string, Seen> {
  return Object.fromEntries(
    Object.entries(tasks).map(([name, t]) => [
      name,
      { status: t.status, attempts: t.attempts, output: t.output },
    ]),
  );
}

function rerunOptions(r: RerunGen) {
  return {
    ...(r.chosen ? { tasks: r.chosen.map((i) => `t${i}`) } : {}),
    ...(r.failed ? { failed: true } : {}),
    ...(r.downstream ? { downstream: true } : {}),
  };
}
