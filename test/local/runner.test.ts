import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  compileDefinition,
  type RunState,
  snapshot,
  type TaskDefinitionInput,
} from "../../src/core/index.js";
import { loadDefinitionFile } from "../../src/definitionFile.js";
import { runLocal } from "../../src/local/runner.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dagq-runner-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const workflow = (tasks: TaskDefinitionInput[], defaults = {}) =>
  compileDefinition({ name: "t", defaults, tasks });

describe("runLocal on the examples", () => {
  it("ml-pipeline passes outputs downstream and deploys only the better model", async () => {
    const result = await runLocal(loadDefinitionFile("examples/ml-pipeline.yaml"), { id: "ml-1" });
    expect(result.id).toBe("ml-1");
    expect(result.status).toBe("completed");
    const t = result.tasks;
    expect(t["prep/download"]).toEqual({
      status: "completed",
      attempts: 1,
      output: { dataset: "qm9-mini", rows: 1200 },
    });
    expect(t["prep/featurize"]?.output).toEqual({ rows: 1200, features: 16, passed: true });
    expect(t["train/rf"]?.output).toEqual({ model: "rf", mae: 0.08 });
    expect(t["train/gnn"]?.output).toEqual({ model: "gnn", mae: 0.11 });
    expect(t["eval/compare"]?.output).toEqual({ best: "rf", mae: 0.08 });
    expect(t["deploy/rf"]?.status).toBe("completed");
    expect(t["deploy/gnn"]).toEqual({
      status: "skipped",
      attempts: 0,
      output: null,
      reason:
        'condition is false: inputs["eval/compare"].best == "gnn" and inputs["eval/compare"].mae < 0.1',
    });
    expect(t.report?.output).toEqual({
      deployed: "deploy/rf",
      endpoint: "https://models.example/rf",
    });
  });

  it("resilient-diamond completes although its flaky branch fails twice", async () => {
    const result = await runLocal(loadDefinitionFile("examples/resilient-diamond.yaml"));
    expect(result.status).toBe("completed");
    expect(result.tasks["branch/flaky"]).toEqual({
      status: "failed",
      attempts: 2,
      output: null,
      reason: "exit code 3: upstream service unavailable (attempt 2)",
    });
    expect(result.tasks.merge).toEqual({
      status: "completed",
      attempts: 1,
      output: { from: ["branch/steady"] },
    });
  });

  it("fan-out-fan-in aggregates 50 leaves behind a glob condition", async () => {
    const result = await runLocal(loadDefinitionFile("examples/fan-out-fan-in.yaml"), {
      concurrency: 8,
    });
    expect(result.status).toBe("completed");
    expect(Object.keys(result.tasks)).toHaveLength(52);
    expect(result.tasks["leaf/07"]?.output).toEqual({ ok: true, n: 7, square: 49 });
    // 0² + 1² + … + 49² = 49·50·99/6
    expect(result.tasks.aggregate?.output).toEqual({ leaves: 50, sum_of_squares: 40425 });
  });

  it("params: defaults, overridden, read by a task and a condition", async () => {
    const def = loadDefinitionFile("examples/params.yaml", { params: { lr: 0.1 } });
    const result = await runLocal(def);
    expect(result.status).toBe("completed");
    expect(result.tasks.train?.output).toEqual({
      lr: 0.1,
      optimizer: "adam",
      layers: [64, 32],
      loss: 0.04,
    });
    expect(result.tasks.report?.output).toEqual({ lr: 0.1, optimizer: "adam", layers: [64, 32] });
    const sgd = loadDefinitionFile("examples/params.yaml", { params: { optimizer: "sgd" } });
    expect((await runLocal(sgd)).tasks.report?.status).toBe("skipped");
  });

  it("rerun: the failed upload and what it held up run again, build does not", async () => {
    const def = loadDefinitionFile("examples/rerun.yaml");
    let saved: RunState | undefined;
    const first = await runLocal(def, {
      onProgress: (_, run) => {
        saved = run;
      },
    });
    expect(first.status).toBe("failed");
    expect(first.tasks.announce?.status).toBe("upstream_failed");
    const again = await runLocal(def, {
      resume: { saved: { id: saved!.id, snapshot: snapshot(saved!) }, rerun: {} },
    });
    expect(again.status).toBe("completed");
    expect(again.tasks.build).toMatchObject({ attempts: 1, output: { artifact: "app-1.2.tar" } });
    expect(again.tasks.upload).toMatchObject({ attempts: 2, status: "completed" });
    expect(again.tasks.announce?.output).toEqual({
      upload: { url: "https://example.invalid/app-1.2.tar", attempt: 2 },
    });
  });

  it("map: one instance per shard, a report over all of them; an empty list skips them", async () => {
    const result = await runLocal(loadDefinitionFile("examples/map.yaml"));
    expect(result.status).toBe("completed");
    expect(Object.keys(result.tasks)).toEqual([
      "split",
      "score",
      "report",
      "score[0]",
      "score[1]",
      "score[2]",
      "score[3]",
    ]);
    expect(result.tasks["score[2]"]?.output).toEqual({ index: 2, rows: 300, ok: true });
    expect(Object.keys(result.tasks.report?.output as object)).toEqual([
      "score[0]",
      "score[1]",
      "score[2]",
      "score[3]",
    ]);
    const none = await runLocal(loadDefinitionFile("examples/map.yaml", { params: { shards: 0 } }));
    expect(none.status).toBe("completed");
    expect(Object.fromEntries(Object.entries(none.tasks).map(([n, t]) => [n, t.status]))).toEqual({
      split: "completed",
      score: "skipped",
      report: "skipped",
    });
  });

  it("nightly: runs with the date it was given", async () => {
    const def = loadDefinitionFile("examples/nightly.yaml", { params: { date: "2026-01-05" } });
    const result = await runLocal(def);
    expect(result.tasks.load?.output).toEqual({ extract: { date: "2026-01-05", rows: 1200 } });
  });

  it("retry succeeds on the second attempt", async () => {
    const result = await runLocal(loadDefinitionFile("examples/retry.yaml"));
    expect(result.status).toBe("completed");
    expect(result.tasks.fetch).toEqual({
      status: "completed",
      attempts: 2,
      output: { attempt: 2, rows: 42 },
    });
    expect(result.tasks.load?.output).toEqual({ fetch: { attempt: 2, rows: 42 } });
  });
});

describe("runLocal: what a task sees", () => {
  it("gets the DAGQ_ variables, its env, and its completed parents' outputs", async () => {
    const def = workflow(
      [
        { name: "a", command: `printf '{"x":1}' > "$DAGQ_OUTPUT"` },
        { name: "b", command: "true" },
        {
          name: "g/child",
          depends_on: ["a", "b"],
          env: { OWN: "mine" },
          command: `node -e '
            const fs = require("node:fs"); const e = process.env;
            fs.writeFileSync(e.DAGQ_OUTPUT, JSON.stringify({
              id: e.DAGQ_WORKFLOW_ID, task: e.DAGQ_TASK, attempt: e.DAGQ_ATTEMPT,
              shared: e.SHARED, own: e.OWN, inputs: JSON.parse(fs.readFileSync(e.DAGQ_INPUTS, "utf8")),
              outputDir: require("node:path").dirname(e.DAGQ_OUTPUT),
            }));'`,
        },
      ],
      { env: { SHARED: "yes" } },
    );
    const result = await runLocal(def, { id: "wf-env" });
    const out = result.tasks["g/child"]?.output as Record<string, unknown>;
    expect(out).toMatchObject({
      id: "wf-env",
      task: "g/child",
      attempt: "1",
      shared: "yes",
      own: "mine",
      inputs: { a: { x: 1 }, b: null },
    });
    // The attempt's temp dir (inputs and output files) is gone once it ended.
    expect(existsSync(out.outputDir as string)).toBe(false);
    expect(result.tasks.b).toEqual({ status: "completed", attempts: 1, output: null });
  });

  it("treats an empty output file as no output", async () => {
    const result = await runLocal(workflow([{ name: "a", command: `: > "$DAGQ_OUTPUT"` }]));
    expect(result.tasks.a).toEqual({ status: "completed", attempts: 1, output: null });
  });
});

describe("runLocal: how attempts fail", () => {
  it("fails a task whose output is not JSON, quoting its first bytes", async () => {
    const def = workflow([
      { name: "bad", command: `echo 'score=0.9 (not json)' > "$DAGQ_OUTPUT"` },
      { name: "after", depends_on: ["bad"], command: "true" },
    ]);
    const result = await runLocal(def);
    expect(result.status).toBe("failed");
    expect(result.tasks.bad?.status).toBe("failed");
    expect(result.tasks.bad?.reason).toMatch(
      /^\$DAGQ_OUTPUT is not valid JSON \(.+\); it starts with "score=0\.9 \(not json\)"$/,
    );
    expect(result.tasks.after?.status).toBe("upstream_failed");
  });

  it("reports the exit code with the end of stderr, and a death by signal", async () => {
    const long = "x".repeat(800);
    const def = workflow([
      { name: "exit", command: `echo first >&2; echo ${long} >&2; echo 'last line' >&2; exit 3` },
      { name: "signal", command: "kill -9 $$" },
    ]);
    const result = await runLocal(def);
    expect(result.tasks.exit?.reason).toBe("exit code 3: last line");
    expect(result.tasks.signal?.reason).toBe("killed by SIGKILL");
    expect(result.status).toBe("failed");
  });

  it("kills a task at its timeout", async () => {
    const def = workflow([{ name: "slow", timeout_s: 1, command: "sleep 30" }]);
    const started = Date.now();
    const result = await runLocal(def);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.tasks.slow).toEqual({
      status: "failed",
      attempts: 1,
      output: null,
      reason: "timed out after 1s",
    });
  });

  it("retries after the backoff, and the task sees each attempt number", async () => {
    const log = join(dir, "attempts.log");
    const def = workflow([
      {
        name: "flaky",
        num_retries: 2,
        retry_backoff_s: 0.3,
        command: `node -e 'require("node:fs").appendFileSync("${log}", process.env.DAGQ_ATTEMPT + " " + Date.now() + "\\n")'; [ "$DAGQ_ATTEMPT" -ge 3 ]`,
      },
    ]);
    const result = await runLocal(def);
    expect(result.tasks.flaky).toEqual({ status: "completed", attempts: 3, output: null });
    const times = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split(" "));
    expect(times.map(([attempt]) => attempt)).toEqual(["1", "2", "3"]);
    const [t1, t2, t3] = times.map(([, t]) => Number(t));
    // Backoff doubles: at least 300 ms before attempt 2 and 600 ms before attempt 3.
    expect(t2! - t1!).toBeGreaterThanOrEqual(300);
    expect(t3! - t2!).toBeGreaterThanOrEqual(600);
  });
});
