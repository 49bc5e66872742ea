import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CompletionMessageWireSchema, PROTOCOL_VERSION } from "../../src/protocol/messages.js";

/**
 * docs/protocol.md's Python worker, as published: compiled with py_compile, then run against a
 * stand-in for the Azure SDK packages (test/worker/pythonStandIn: queues and blobs as files),
 * because the real ones cannot be installed without PyPI. What it sends is checked against the
 * protocol's own wire schema.
 */
const python = spawnSync("python3", ["--version"]).status === 0 ? "python3" : null;
if (!python) console.warn("skipped the Python worker test: python3 is not installed here");

function workerSource(): string {
  const doc = readFileSync("docs/protocol.md", "utf8");
  const section = doc.slice(doc.indexOf("## A minimal worker in Python"));
  const m = /```python\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error("no python block under the Python worker's heading");
  return m[1]!;
}

describe.skipIf(!python)("the Python worker in docs/protocol.md", () => {
  let dir: string;
  let script: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "dagq-py-"));
    script = join(dir, "worker.py");
    writeFileSync(script, workerSource());
  });

  it("compiles", () => {
    const r = spawnSync(python!, ["-m", "py_compile", script], {
      env: { ...process.env, PYTHONPYCACHEPREFIX: join(dir, "pycache") },
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("runs, reports started then the outcome with times, handles a timeout, honours a cancel, reads a pack", () => {
    const store = join(dir, "store");
    const put = (path: string, text: string) => {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    };
    const message = (
      id: string,
      task: string,
      command: string,
      timeoutS: number | null = null,
    ) => ({
      v: PROTOCOL_VERSION,
      workflow_id: id,
      task,
      attempt: 1,
      command,
      env: { GREETING: "hi" },
      timeout_s: timeoutS,
      inputs: {},
      completion_queue: "dagq-completions",
      signals_blob: `wf/${id}/signals.json`,
    });
    const marker = join(dir, "cancelled-ran");
    const tasks = [
      message(
        "wf-ok",
        "good",
        'test -z "$DagqStorage" && printf \'{"greeting": "%s"}\' "$GREETING" > "$DAGQ_OUTPUT"',
      ),
      message("wf-ok", "bad", "echo 'disk full' >&2; exit 3"),
      message("wf-ok", "slow", "sleep 30 & wait", 1),
      message("wf-cancelled", "never", `touch ${marker}`),
      {
        v: PROTOCOL_VERSION,
        pack: [message("wf-ok", "packed1", "true"), message("wf-ok", "packed2", "true")],
      },
    ];
    for (const [k, t] of tasks.entries())
      put(join(store, "queues", "dagq-tasks-default", `${k}.json`), JSON.stringify(t));
    put(join(store, "blobs", "wf/wf-ok/head"), "x");
    put(join(store, "blobs", "wf/wf-cancelled/head"), "x");
    put(
      join(store, "blobs", "wf/wf-cancelled/signals.json"),
      JSON.stringify({ cancelled: true, kill: [] }),
    );

    const t0 = Date.now();
    const r = spawnSync(python!, [script], {
      env: {
        PATH: process.env.PATH,
        PYTHONPATH: join(import.meta.dirname, "pythonStandIn"),
        PYTHONDONTWRITEBYTECODE: "1",
        STANDIN_DIR: store,
        STANDIN_EXIT_WHEN_EMPTY: "1",
        DagqStorage: "UseDevelopmentStorage=true",
      },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000); // the 30 s sleep was killed at its 1 s timeout

    const sent = readdirSync(join(store, "queues", "dagq-completions"))
      .sort()
      .flatMap((f) => {
        const parsed = CompletionMessageWireSchema.safeParse(
          JSON.parse(readFileSync(join(store, "queues", "dagq-completions", f), "utf8")),
        );
        expect(parsed.error).toBeUndefined();
        return parsed.data!.completions;
      });
    const summary = sent.map((c) => {
      const { workflow_id, task, kind } = c;
      return [
        workflow_id,
        task,
        kind,
        "error" in c ? c.error : "output" in c ? c.output : undefined,
      ];
    });
    expect(summary).toEqual([
      ["wf-ok", "good", "started", undefined],
      ["wf-ok", "good", "completed", { greeting: "hi" }],
      ["wf-ok", "bad", "started", undefined],
      ["wf-ok", "bad", "failed", "exit code 3: disk full"],
      ["wf-ok", "slow", "started", undefined],
      ["wf-ok", "slow", "failed", "timed out after 1s"],
      ["wf-ok", "packed1", "started", undefined],
      ["wf-ok", "packed1", "completed", undefined],
      ["wf-ok", "packed2", "started", undefined],
      ["wf-ok", "packed2", "completed", undefined],
    ]);
    for (const c of sent) expect(c.at).toBeGreaterThanOrEqual(t0 - 1000);
    expect(existsSync(marker)).toBe(false); // the cancelled task never started
    expect(readdirSync(join(store, "queues", "dagq-tasks-default"))).toEqual([]); // all deleted
  }, 40_000);
});
