import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DagqClient } from "../../src/client/index.js";
import type { LocalHost } from "../../src/host/localHost.js";
import { dagqProcess, type Ran } from "../support/dagqProcess.js";
import { playWorker, startTestHost, uniquePrefix } from "../support/testHost.js";

/**
 * The client commands as real processes (through tsx, as cli.test.ts runs the CLI) against a
 * local host this test starts on Azurite, with DAGQ_URL/DAGQ_KEY in their environment. Each
 * process costs about two seconds of start-up, so independent ones run side by side.
 */
const KEY = "cli-test-key";
const prefix = uniquePrefix("cc");
let host: LocalHost;
let client: DagqClient;
let dir: string;

function dagq(
  args: string[],
  opts: { env?: Record<string, string>; onStderr?: (pid: number, text: string) => void } = {},
): Promise<Ran> {
  return dagqProcess(args, { ...opts, env: { DAGQ_URL: host.url, DAGQ_KEY: KEY, ...opts.env } });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dagq-client-cli-"));
  host = await startTestHost(prefix, KEY);
  client = new DagqClient({ url: host.url, key: KEY });
});

afterAll(async () => {
  await host?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const WORKFLOW = `name: cli-wf
tasks:
  - name: prep/a
    command: echo a
  - name: train/b
    command: echo b
    depends_on: [prep/a]
  - name: train/c
    command: echo c
    depends_on: [prep/a]
`;

describe("dagq client commands against a local host", () => {
  let id = "";

  it("submit --watch prints the id, follows the run in plain lines and exits 0", async () => {
    let watching: () => void = () => {};
    const started = new Promise<void>((r) => {
      watching = r;
    });
    const run = dagq(["submit", file("wf.yaml", WORKFLOW), "--watch", "--interval", "0.2"], {
      onStderr: (_pid, text) => {
        if (text.includes(" done (")) watching();
      },
    });
    await started;
    await playWorker(host, prefix, async () => {
      const [w] = (await client.list()).workflows;
      return (
        w !== undefined && (await client.status(w.id, { detail: true })).status === "completed"
      );
    });
    const r = await run;
    expect(r.code).toBe(0);
    id = r.stdout.split("\n")[0]!;
    expect(id).toMatch(/^[a-z0-9]+-[0-9a-f]{10}$/);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe(`cli-wf: submitted as ${id} (3 tasks, running)`);
    expect(lines[1]).toMatch(/^cli-wf: [0-2]\/3 done \(\d+%\) \| -\/s \| ETA - \| /);
    expect(lines.at(-1)).toMatch(
      /^cli-wf: 3\/3 done \(100%\) \| \d+\.\d\/s \| ETA 0s \| 3 completed, 0 failed, 0 running, 0 pending, 0 skipped$/,
    );
    expect(r.stderr).not.toContain("\u001b[");
    // After the id, the final status panel.
    expect(r.stdout.split("\n").slice(1, 5)).toEqual([
      "workflow  cli-wf",
      `id        ${id}`,
      expect.stringMatching(/^status {4}completed after \d/),
      "tasks     3: 3 completed, 0 failed, 0 running, 0 pending, 0 skipped",
    ]);
  });

  it("status --json, tasks --prefix --json and list --json print what the API holds", async () => {
    const [status, tasks, list] = await Promise.all([
      dagq(["status", id, "--json"]),
      dagq(["tasks", id, "--prefix", "train/", "--json"]),
      dagq(["list", "--json", "--status", "completed"]),
    ]);
    expect([status.code, status.stderr]).toEqual([0, ""]);
    const json = JSON.parse(status.stdout);
    expect(Object.keys(json)).toEqual([
      "id",
      "name",
      "status",
      "reason",
      "total",
      "counts",
      "conditionErrors",
      "createdAt",
      "startedAt",
      "finishedAt",
      "updatedAt",
    ]);
    expect(json).toMatchObject({ id, name: "cli-wf", status: "completed", total: 3, reason: null });
    expect(json.counts).toEqual({
      pending: 0,
      ready: 0,
      running: 0,
      completed: 3,
      failed: 0,
      skipped: 0,
      upstream_failed: 0,
      cancelled: 0,
    });
    expect(tasks.code).toBe(0);
    const page = JSON.parse(tasks.stdout);
    expect(page.next).toBeNull();
    expect(
      page.tasks.map((t: { name: string; status: string; output: unknown }) => [
        t.name,
        t.status,
        t.output,
      ]),
    ).toEqual([
      ["train/b", "completed", { from: "train/b" }],
      ["train/c", "completed", { from: "train/c" }],
    ]);
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.stdout);
    expect([listed.workflows.map((w: { id: string }) => w.id), listed.next]).toEqual([[id], null]);
  });

  it("cancel ends a watch with exit 3; Ctrl-C stops another watch with 130, not its workflow", async () => {
    const one = await client.submit({ name: "slow", tasks: [{ name: "s", command: "sleep 100" }] });
    const two = await client.submit({ name: "slow", tasks: [{ name: "s", command: "sleep 100" }] });
    let sent = false;
    const [watched, interrupted, cancel] = await Promise.all([
      dagq(["watch", one.id, "--json", "--interval", "0.2"]),
      dagq(["watch", two.id], {
        onStderr: (pid, text) => {
          if (!sent && text.includes("slow: ")) {
            sent = true;
            process.kill(pid, "SIGINT");
          }
        },
      }),
      dagq(["cancel", one.id, "--reason", "from the test"]),
    ]);
    expect(cancel).toEqual({ code: 0, stdout: `cancelled ${one.id}\n`, stderr: "" });
    expect(watched.code).toBe(3);
    expect(JSON.parse(watched.stdout)).toMatchObject({
      id: one.id,
      status: "cancelled",
      reason: "from the test",
      counts: { cancelled: 1 },
    });
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr.trimEnd().split("\n").at(-1)).toBe(
      `dagq: stopped watching ${two.id}; it keeps running (dagq cancel ${two.id} stops it)`,
    );
    expect((await client.status(two.id, { detail: true })).status).toBe("running");
    await client.cancel(two.id);
  });

  it("doctor --json warns (exit 1) of tasks no live worker serves, or exits 2 with a failed api check; errors print one line and exit", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const closed = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    await new Promise((r) => server.close(r));
    const broken = file(
      "broken.yaml",
      "name: broken\ntasks:\n  - name: a\n    command: echo\n  - name: train/rf\n    command: echo\n    depends_on: [a, prep]\n",
    );
    // The workflow an earlier test left running waits in the default queue, and no worker
    // runs here: the doctor says so (it said ok before workers were registered).
    const healthy = await dagq(["doctor", "--json"]);
    const [unreachable, key, unknown, definition, unconfirmed] = await Promise.all([
      dagq(["doctor", "--json"], { env: { DAGQ_URL: closed } }),
      dagq(["list", "--key", "wrong"]),
      dagq(["status", "abc-123"]),
      dagq(["submit", file("ok.yaml", WORKFLOW), broken]),
      dagq(["purge", "--terminal"]),
    ]);
    expect(healthy.code).toBe(1);
    const report = JSON.parse(healthy.stdout);
    expect(report.verdict).toBe("warn");
    expect(report.checks.find((c: { name: string }) => c.name === "workers").detail).toMatch(
      /^queue default: [1-9]\d* task\(s\) waiting and no live worker \(dagq worker --queue default\)$/,
    );
    expect(
      report.checks.map((c: { name: string; verdict: string }) => [c.name, c.verdict]),
    ).toEqual([
      ["api", "ok"],
      ["blob", "ok"],
      ["queue", "ok"],
      ["table", "ok"],
      ["poison queues", "ok"],
      ["workers", "warn"],
      ["stuck workflows", "ok"],
      ["stale running tasks", "ok"],
    ]);
    expect(unreachable.code).toBe(2);
    expect(JSON.parse(unreachable.stdout)).toEqual({
      verdict: "fail",
      checks: [
        {
          name: "api",
          verdict: "fail",
          detail: `cannot reach dagq at ${closed}: is \`dagq host\` running?`,
        },
      ],
      queues: [],
      stuck: [],
      staleTasks: [],
    });
    expect(key).toEqual({
      code: 77,
      stdout: "",
      stderr: `dagq: ${host.url} refused the key (401 missing or invalid function key (x-functions-key header or code parameter)): pass the function key with --key or DAGQ_KEY (\`dagq host\` prints the one it accepts)\n`,
    });
    expect(unknown).toEqual({ code: 4, stdout: "", stderr: 'dagq: no workflow "abc-123"\n' });
    expect(definition).toEqual({
      code: 2,
      stdout: "",
      stderr: `dagq: ${broken}: invalid workflow definition:\ntasks[1].depends_on[1]: task "train/rf": depends on unknown task "prep" (line 7)\n`,
    });
    expect(unconfirmed).toEqual({
      code: 2,
      stdout: "",
      stderr: "dagq: purge --terminal needs --yes when not run at a terminal\n",
    });
    // The good file listed before the bad one was not submitted either.
    expect((await client.list()).workflows.map((w) => w.name)).toEqual(["slow", "slow", "cli-wf"]);
  });

  it("purge --terminal --yes waits for the job and reports what it purged", async () => {
    const purged = await dagq(["purge", "--terminal", "--yes"]);
    expect(purged.code).toBe(0);
    expect(purged.stdout).toMatch(
      /^purge [0-9a-f]{12}: done, 3 workflow\(s\) purged \(terminal\)\n$/,
    );
    expect((await client.list()).workflows).toEqual([]);
  });
});
