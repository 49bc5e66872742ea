import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dagqProcess } from "../support/dagqProcess.js";

/**
 * `run-local --save-state` and `--resume`: a failed local run is resumed, and only what did
 * not succeed runs again, as the next attempt, with the whole retry budget.
 */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "dagq-resume-test-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** prep counts its runs in a file; train fails until the marker file exists. */
function pipeline(): { file: string; marker: string; runs: string } {
  const marker = join(dir, "fixed");
  const runs = join(dir, "prep-runs");
  const file = join(dir, "pipe.yaml");
  writeFileSync(
    file,
    `name: pipe
defaults: {retry_backoff_s: 0}
tasks:
  - name: prep
    command: ${JSON.stringify(`echo run >> '${runs}' && printf '{"rows": 3}' > "$DAGQ_OUTPUT"`)}
  - name: train
    depends_on: [prep]
    num_retries: 1
    command: ${JSON.stringify(`test -f '${marker}' && printf '{"attempt": %s}' "$DAGQ_ATTEMPT" > "$DAGQ_OUTPUT"`)}
  - name: report
    depends_on: [train]
    command: "true"
`,
  );
  return { file, marker, runs };
}

describe("run-local --save-state and --resume", () => {
  it("resumes a failed run: only the failed task and what it held up run again", async () => {
    const { file, marker, runs } = pipeline();
    const state = join(dir, "state.json");
    const first = await dagqProcess(["run-local", file, "--json", "--save-state", state]);
    expect(first.code, first.stderr).toBe(1);
    expect(JSON.parse(first.stdout).tasks).toMatchObject({
      prep: { status: "completed", attempts: 1 },
      train: { status: "failed", attempts: 2 },
      report: { status: "upstream_failed" },
    });
    expect(existsSync(state)).toBe(true);

    writeFileSync(marker, "");
    const second = await dagqProcess(["run-local", file, "--json", "--resume", state]);
    expect(second.code, second.stderr).toBe(0);
    const result = JSON.parse(second.stdout);
    expect(result.id).toBe(JSON.parse(first.stdout).id);
    expect(result.tasks).toEqual({
      prep: { status: "completed", attempts: 1, output: { rows: 3 } },
      train: { status: "completed", attempts: 3, output: { attempt: 3 } },
      report: { status: "completed", attempts: 1, output: null },
    });
    expect(readFileSync(runs, "utf8")).toBe("run\n"); // prep did not run again
  }, 60_000);

  it("refuses a state saved for another definition, and nothing to rerun, with exit 2", async () => {
    const { file, marker } = pipeline();
    writeFileSync(marker, "");
    const state = join(dir, "done.json");
    expect((await dagqProcess(["run-local", file, "--save-state", state])).code).toBe(0);
    const nothing = await dagqProcess(["run-local", file, "--resume", state]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/cannot resume: the workflow is completed/);
    const downstream = await dagqProcess([
      "run-local",
      file,
      "--resume",
      state,
      "--task",
      "prep",
      "--downstream",
      "--json",
    ]);
    expect(downstream.code).toBe(2);
    writeFileSync(file, readFileSync(file, "utf8").replace("name: pipe", "name: other"));
    const other = await dagqProcess(["run-local", file, "--resume", state]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/was saved for another definition/);
    const stray = await dagqProcess(["run-local", file, "--task", "prep"]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/choose what --resume reruns/);
  }, 60_000);

  it("saves the state on Ctrl-C; resuming reruns the cancelled tasks", async () => {
    const marker = join(dir, "go");
    const started = join(dir, "started");
    const file = join(dir, "slow.yaml");
    writeFileSync(
      file,
      `name: slow
tasks:
  - {name: quick, command: "true"}
  - name: slow
    command: ${JSON.stringify(`test -f '${marker}' && exit 0; touch '${started}'; sleep 30`)}
    depends_on: [quick]
  - {name: after, depends_on: [slow, quick], command: "true"}
`,
    );
    // slow waits for quick, so the interruption finds quick completed (not merely exited: its
    // report might not be applied yet) and slow running.
    const state = join(dir, "interrupted.json");
    let pid = 0;
    const run = dagqProcess(["run-local", file, "--save-state", state], {
      onSpawn: (p) => {
        pid = p;
      },
    });
    for (let k = 0; k < 200 && !existsSync(started); k++)
      await new Promise((r) => setTimeout(r, 50));
    process.kill(pid, "SIGINT");
    expect((await run).code).toBe(130);
    expect(JSON.parse(readFileSync(state, "utf8")).state.wf.status).toBe("cancelled");
    writeFileSync(marker, "");
    const resumed = await dagqProcess(["run-local", file, "--resume", state, "--json"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).tasks).toMatchObject({
      quick: { status: "completed", attempts: 1 },
      slow: { status: "completed", attempts: 2 },
      after: { status: "completed", attempts: 1 },
    });
  }, 60_000);
});
