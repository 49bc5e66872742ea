import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dagqProcess, type Ran } from "../support/dagqProcess.js";

/**
 * Runs the CLI from source through tsx's loader: no build step, so these tests cannot pass on a
 * stale dist/. Each call is a real process, so exit codes and signals are the real ones.
 */
function dagq(args: string[], onSpawn?: (pid: number) => void): Promise<Ran> {
  return dagqProcess(args, onSpawn ? { onSpawn } : {});
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "dagq-cli-test-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("dagq run-local", () => {
  it("prints the result as JSON on stdout and the summary on stderr; exit 0", async () => {
    const r = await dagq(["run-local", "examples/ml-pipeline.yaml", "--json", "-c", "2"]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(Object.keys(result)).toEqual(["id", "status", "tasks"]);
    expect(result.status).toBe("completed");
    expect(Object.keys(result.tasks)).toEqual([
      "prep/download",
      "prep/featurize",
      "train/rf",
      "train/gnn",
      "eval/compare",
      "deploy/rf",
      "deploy/gnn",
      "report",
    ]);
    expect(result.tasks["deploy/rf"]).toEqual({
      status: "completed",
      attempts: 1,
      output: { endpoint: "https://models.example/rf" },
    });
    expect(result.tasks["deploy/gnn"].status).toBe("skipped");
    expect(r.stderr).toMatch(/^ml-pipeline: completed in \d+\.\ds \(id [0-9a-f-]{36}\)$/m);
    expect(r.stderr).toContain("  8 tasks: 7 completed, 1 skipped\n");
    expect(r.stderr).toContain('  skipped deploy/gnn: condition is false: inputs["eval/compare"]');
    // Not a terminal: plain progress lines, no escape sequences.
    expect(r.stderr).toContain("ml-pipeline: 8/8 done (100%)");
    expect(r.stderr).not.toContain("\u001b[");
  });

  it("exits 0 for the resilient diamond, listing the failed branch", async () => {
    const r = await dagq(["run-local", "examples/resilient-diamond.yaml"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      "  failed branch/flaky after 2 attempts: exit code 3: upstream service unavailable (attempt 2)",
    );
  });

  it("exits 1 when the workflow fails", async () => {
    const path = file(
      "fails.yaml",
      "name: fails\ntasks:\n  - name: a\n    command: echo broken >&2; exit 4\n  - name: b\n    depends_on: [a]\n    command: 'true'\n",
    );
    const r = await dagq(["run-local", path, "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).tasks).toMatchObject({
      a: {
        status: "failed",
        reason: expect.stringMatching(
          /^exit code 4: broken\nwhole log: dagq logs [0-9a-f-]+ a --attempt 1$/,
        ),
      },
      b: { status: "upstream_failed" },
    });
    expect(r.stderr).toMatch(/^fails: failed in/m);
  });

  it("first SIGINT cancels: kills the running task, prints the summary, exits 130", async () => {
    const pidFile = join(dir, "sigint.pid");
    const path = file(
      "long.yaml",
      `name: long\ntasks:\n  - name: wait\n    command: echo $$ > "${pidFile}"; exec sleep 30\n`,
    );
    let cliPid = 0;
    const running = dagq(["run-local", path, "--json"], (pid) => {
      cliPid = pid;
    });
    const until = Date.now() + 10_000;
    while (!existsSync(pidFile) || readFileSync(pidFile, "utf8").trim() === "") {
      if (Date.now() > until) throw new Error("the task never started");
      await new Promise((r) => setTimeout(r, 20));
    }
    const taskPid = Number(readFileSync(pidFile, "utf8"));
    process.kill(cliPid, "SIGINT");
    const r = await running;
    expect(r.code).toBe(130);
    expect(JSON.parse(r.stdout).tasks.wait).toMatchObject({
      status: "cancelled",
      reason: "interrupted by SIGINT",
    });
    expect(r.stderr).toContain("dagq: SIGINT: cancelling");
    expect(r.stderr).toMatch(/^long: cancelled in/m);
    expect(() => process.kill(taskPid, 0)).toThrow(/ESRCH/);
  });

  it("rejects a bad option value with exit 2", async () => {
    const r = await dagq(["run-local", "examples/retry.yaml", "--concurrency", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("dagq: option '-c, --concurrency <n>' argument '0' is invalid");
  });
});

describe("dagq validate", () => {
  it("summarises a valid file", async () => {
    const r = await dagq(["validate", "examples/ml-pipeline.yaml"]);
    expect(r).toEqual({
      code: 0,
      stdout: "ok: ml-pipeline, 8 tasks, 9 dependencies, 6 layers\n",
      stderr: "",
    });
  });

  it("exits 2 with path-prefixed issues naming the task and line", async () => {
    const path = file(
      "broken.yaml",
      "name: broken\ntasks:\n  - name: a\n    command: echo\n  - name: train/rf\n    command: echo\n    depends_on: [a, prep]\n",
    );
    const r = await dagq(["validate", path]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `dagq: ${path}: invalid workflow definition:\ntasks[1].depends_on[1]: task "train/rf": depends on unknown task "prep" (line 7)\n`,
    );
  });

  it("exits 2 on a condition that can never evaluate, with its code's message and line", async () => {
    const path = file(
      "types.yaml",
      "name: types\ntasks:\n  - name: a\n    command: echo\n  - name: b\n    command: echo\n    depends_on: [a]\n    condition: all(inputs.a.loss < 0.1)\n",
    );
    const r = await dagq(["validate", path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `dagq: ${path}: invalid workflow definition:\ntasks[1].condition: task "b": all(inputs.a.loss < 0.1): all needs a list of true/false values, got a single true/false value (line 8)\n`,
    );
  });

  it("reports YAML syntax errors with line and column", async () => {
    const path = file("syntax.yaml", "name: x\ntasks:\n  - name: a\n    command: [oops\n");
    const r = await dagq(["validate", path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^dagq: ${path}: invalid YAML: .* at line 5, column 1:`));
  });
});

describe("dagq schema", () => {
  it("prints the committed JSON Schema", async () => {
    const r = await dagq(["schema"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync("schema/workflow.schema.json", "utf8"));
  });
});
