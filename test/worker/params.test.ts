import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compileDefinition } from "../../src/core/index.js";
import { getStatus, getTasks } from "../../src/engine/queries.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { runLocal } from "../../src/local/runner.js";
import { until, workerWorld } from "./pump.js";

/** Parameters reach a task as DAGQ_PARAMS and DAGQ_PARAM_<name>, alike on both paths. */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dagq-params-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const definition = (out: string) => ({
  name: "params",
  params: { lr: 0.01, optimizer: "adam", layers: [64, 32], quote: "it's $HOME; rm -rf /" },
  tasks: [
    {
      name: "show",
      command: `{ cat "$DAGQ_PARAMS"; echo; printf '%s\\n' "$DAGQ_PARAM_lr" "$DAGQ_PARAM_optimizer" "$DAGQ_PARAM_layers" "$DAGQ_PARAM_quote"; } > ${JSON.stringify(out)}`,
    },
    {
      name: "gate",
      depends_on: ["show"],
      condition: 'params.optimizer == "sgd"',
      command: "true",
    },
  ],
});

const expected = (lr: string) => [
  JSON.stringify({
    lr: Number(lr),
    optimizer: "sgd",
    layers: [64, 32],
    quote: "it's $HOME; rm -rf /",
  }),
  lr,
  "sgd",
  "[64,32]",
  "it's $HOME; rm -rf /",
];

describe("parameters in a task's environment", () => {
  it("run-local: DAGQ_PARAMS holds the resolved object, DAGQ_PARAM_<name> each value", async () => {
    const out = join(dir, "local");
    const def = compileDefinition(definition(out), { params: { lr: 0.5, optimizer: "sgd" } });
    const r = await runLocal(def);
    expect(r.status).toBe("completed");
    expect(readFileSync(out, "utf8").trim().split("\n")).toEqual(expected("0.5"));
    expect(r.tasks.gate?.status).toBe("completed");
  });

  it("serverless: the task message carries them, a worker gives the task the same", async () => {
    const { engine, stop } = await workerWorld();
    try {
      const out = join(dir, "worker");
      const { id } = await submitWorkflow(engine, definition(out), {
        params: { lr: 0.5, optimizer: "sgd" },
      });
      await until("the workflow to finish", async () => {
        const s = await getStatus(engine, id, true);
        return s?.status === "completed";
      });
      expect(readFileSync(out, "utf8").trim().split("\n")).toEqual(expected("0.5"));
      const tasks = await getTasks(engine, id, {});
      expect(tasks?.tasks.map((t) => [t.name, t.status])).toEqual([
        ["gate", "completed"],
        ["show", "completed"],
      ]);
    } finally {
      await stop();
    }
  });
});
