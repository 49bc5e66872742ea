import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getStatus } from "../../src/engine/queries.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { runShellTask } from "../../src/worker/shellTask.js";
import { startWorker } from "../../src/worker/startWorker.js";
import { memoryEngine } from "../engine/fakeWorld.js";
import { pumpCompletions, until } from "./pump.js";

/**
 * Anyone who can submit a workflow chooses the commands a worker runs: a task must never see
 * the worker's storage credentials or other secrets, only the documented allow-list.
 */
const SECRETS = {
  DagqStorage: "DefaultEndpointsProtocol=http;AccountName=x;AccountKey=c2VjcmV0",
  DagqStorage__accountName: "acct",
  AzureWebJobsStorage: "UseDevelopmentStorage=true",
  DAGQ_KEY: "function-key",
  MY_API_TOKEN: "hunter2",
  CUDA_VISIBLE_DEVICES: "0",
};
let dir: string;
const saved: Record<string, string | undefined> = {};
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dagq-env-"));
  for (const [k, v] of Object.entries(SECRETS)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const dumpEnv = (path: string) => `env > ${JSON.stringify(path)}`;
const names = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => l.slice(0, l.indexOf("=")));

const request = (command: string, passEnv?: string[]) => ({
  command,
  env: { OWN: "1" },
  inputs: {},
  workflowId: "w",
  task: "t",
  attempt: 1,
  timeoutS: null,
  ...(passEnv ? { passEnv } : {}),
});

describe("a task's environment", () => {
  it("holds the DAGQ_ contract, its env and the allow-list, never the worker's secrets", async () => {
    const out = join(dir, "env");
    const r = await runShellTask(request(dumpEnv(out)));
    expect(r.error).toBeUndefined();
    const seen = names(out);
    for (const k of ["PATH", "HOME", "OWN", "DAGQ_TASK", "DAGQ_INPUTS", "DAGQ_OUTPUT"])
      expect(seen).toContain(k);
    for (const k of Object.keys(SECRETS)) expect(seen).not.toContain(k);
  });

  it("--pass-env adds names and prefixes, but never the storage settings", async () => {
    const out = join(dir, "env");
    await runShellTask(request(dumpEnv(out), ["MY_API_TOKEN", "CUDA_*", "DagqStorage", "DAGQ_*"]));
    const seen = names(out);
    expect(seen).toContain("MY_API_TOKEN");
    expect(seen).toContain("CUDA_VISIBLE_DEVICES");
    for (const k of ["DagqStorage", "DagqStorage__accountName", "AzureWebJobsStorage", "DAGQ_KEY"])
      expect(seen).not.toContain(k);
  });

  it("a worker's task cannot read DagqStorage", async () => {
    const { engine, storage } = await memoryEngine({ coordinator: { lingerMs: 20 } });
    const pump = pumpCompletions(engine);
    const w = startWorker({
      storage,
      prefix: engine.names.prefix,
      queue: "default",
      pollMaxMs: 50,
      shutdownGraceMs: 1000,
    });
    try {
      const out = join(dir, "worker-env");
      const { id } = await submitWorkflow(engine, {
        name: "env",
        tasks: [{ name: "dump", command: dumpEnv(out) }],
      });
      await until("the task to finish", async () => {
        const s = await getStatus(engine, id, true);
        return s?.status === "completed";
      });
      const seen = names(out);
      expect(seen).toContain("DAGQ_WORKFLOW_ID");
      expect(seen).not.toContain("DagqStorage");
      expect(seen).not.toContain("MY_API_TOKEN");
    } finally {
      await w.stop();
      await pump.stop();
    }
  });
});
