import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DagqClient } from "../../src/client/index.js";
import type { Engine } from "../../src/engine/context.js";
import type { LocalHost } from "../../src/host/localHost.js";
import { StatsTelemetry } from "../../src/observability/telemetry.js";
import { toWorkerEntity } from "../../src/storage/workerRecord.js";
import { startWorkerGroup, type WorkerGroup } from "../../src/worker/workerGroup.js";
import { startTestHost, uniquePrefix } from "../support/testHost.js";

const KEY = "logs-key";
const prefix = uniquePrefix("l");
let host: LocalHost;
let engine: Engine;
let client: DagqClient;
let worker: WorkerGroup;
const workerLines: string[] = [];

beforeAll(async () => {
  host = await startTestHost(prefix, KEY);
  engine = await host.runtime.engine();
  client = new DagqClient({ url: host.url, key: KEY });
  worker = await startWorkerGroup({
    storage: engine.storage,
    prefix,
    queues: ["default", "spare"],
    concurrency: 4,
    pollMaxMs: 100,
    signalPollMs: 200,
    shutdownGraceMs: 1000,
    heartbeatS: 1,
    id: "test-worker-1",
    logs: { headBytes: 4000, tailBytes: 2000, flushBytes: 64 * 1024, flushMs: 200 },
    telemetry: new StatsTelemetry((level, message) => workerLines.push(`${level} ${message}`)),
  });
});

afterAll(async () => {
  await worker?.stop();
  await host?.stop();
});

async function logBlobs(id: string): Promise<string[]> {
  const out: string[] = [];
  for await (const p of engine.storage.blobs.list(`wf/${id}/logs/`)) out.push(p);
  return out;
}

describe("task logs through Azurite", () => {
  it("captures stdout and stderr per attempt, bounded, says where in a failure, and purge removes them", async () => {
    const { id } = await client.submit({
      name: "logs",
      tasks: [
        { name: "talk", command: "echo out-1; echo err-1 >&2; sleep 0.2; echo out-2" },
        { name: "silent", command: "sleep 0.05" },
        {
          name: "flaky",
          command: 'echo "attempt $DAGQ_ATTEMPT"; echo "disk full" >&2; exit 3',
          num_retries: 1,
          retry_backoff_s: 0,
        },
        { name: "chatty", command: "seq 1 2000" },
      ],
    });
    const final = await client.waitFor(id, { intervalMs: 200, timeoutMs: 30_000 });
    expect(final.counts).toMatchObject({ completed: 3, failed: 1 });

    const talk = await client.log(id, "talk");
    expect(talk).toMatchObject({
      attempt: 1,
      attempts: 1,
      exists: true,
      complete: true,
      offset: 0,
    });
    const lines = talk.text.trimEnd().split("\n");
    expect(lines.map((l) => l.replace(/^\S+ /, ""))).toEqual(["O out-1", "E err-1", "O out-2"]);
    expect(talk.next).toBe(Buffer.byteLength(talk.text));
    const rest = await client.log(id, "talk", { offset: talk.next });
    expect(rest).toMatchObject({ text: "", complete: true, next: talk.next });

    // A task that printed nothing has no blob at all.
    expect(await client.log(id, "silent")).toMatchObject({
      exists: false,
      text: "",
      complete: true,
    });
    expect(await logBlobs(id)).toEqual([
      `wf/${id}/logs/chatty/1.log`,
      `wf/${id}/logs/flaky/1.log`,
      `wf/${id}/logs/flaky/2.log`,
      `wf/${id}/logs/talk/1.log`,
    ]);

    // Each attempt its own log; the reason keeps the stderr tail and says where the whole log is.
    expect((await client.log(id, "flaky", { attempt: 1 })).text).toMatch(
      / O attempt 1\n.* E disk full\n$/,
    );
    expect((await client.log(id, "flaky")).text).toMatch(/ O attempt 2\n/);
    const [flaky] = (await client.tasks(id, { prefix: "flaky" })).tasks;
    expect(flaky!.reason).toBe(
      `exit code 3: disk full\nwhole log: dagq logs ${id} flaky --attempt 2`,
    );

    // Bounded: the first 4000 and the last 2000 bytes, and a line saying how much went.
    const chatty = (await client.log(id, "chatty")).text;
    expect(Buffer.byteLength(chatty)).toBeLessThan(6200);
    expect(chatty).toMatch(/^\S+ O 1\n/);
    expect(chatty).toMatch(
      / - \[dagq: \d+ bytes of output dropped here; the first 4000 and the last \d+ are kept\]\n/,
    );
    expect(chatty).toMatch(/ O 2000\n$/);

    // Start times are the worker's: a 50 ms task no longer shows 0.
    const [silent] = (await client.tasks(id, { prefix: "silent" })).tasks;
    expect(silent!.finishedAt! - silent!.startedAt!).toBeGreaterThanOrEqual(45);

    // `dagq worker -v` prints these debug lines: a line per attempt.
    expect(workerLines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^debug task ${id} talk attempt 1: completed in 0\\.[2-9]s$`),
      ),
    );
    expect(workerLines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^debug task ${id} flaky attempt 1: failed: exit code 3: disk full in \\d\\.\\ds$`,
        ),
      ),
    );
    // A queue no task was sent to yet (spare) is no reason to warn on every poll.
    expect(workerLines.filter((l) => l.startsWith("warn"))).toEqual([]);

    await client.delete(id);
    expect(await logBlobs(id)).toEqual([]);
  }, 60_000);

  it("follows a running task's log: lines arrive before the task ends", async () => {
    const { id } = await client.submit({
      name: "follow",
      tasks: [{ name: "slow", command: "for i in 1 2 3 4 5 6; do echo tick $i; sleep 0.3; done" }],
    });
    const seen: Array<{ text: string; complete: boolean; status: string }> = [];
    for await (const piece of client.followLog(id, "slow", { intervalMs: 100 }))
      if (piece.text !== "" || piece.complete) seen.push(piece);
    const text = seen.map((p) => p.text).join("");
    expect(text.match(/ O tick \d/g)).toEqual(
      ["1", "2", "3", "4", "5", "6"].map((n) => ` O tick ${n}`),
    );
    expect(seen.some((p) => p.status === "running" && p.text.includes("tick"))).toBe(true);
    expect(seen.at(-1)!.complete).toBe(true);
  }, 30_000);
});

describe("the worker registry", () => {
  it("lists live workers with their queues; the doctor warns of a queue nobody serves", async () => {
    const { workers } = await client.workers();
    expect(workers).toContainEqual(
      expect.objectContaining({
        id: "test-worker-1",
        queues: ["default", "spare"],
        concurrency: 4,
        live: true,
        stoppedAt: 0,
        pid: process.pid,
      }),
    );
    const { id } = await client.submit({
      name: "gpu",
      tasks: [{ name: "train", command: "true", queue: "gpu" }],
    });
    const check = async () => (await client.health()).checks.find((c) => c.name === "workers");
    expect(await check()).toEqual({
      name: "workers",
      verdict: "warn",
      detail: "queue gpu: 1 task(s) waiting and no live worker (dagq worker --queue gpu)",
    });
    const gpu = await startWorkerGroup({
      storage: engine.storage,
      prefix,
      queues: ["gpu"],
      pollMaxMs: 100,
      heartbeatS: 1,
      id: "gpu-worker",
    });
    try {
      expect((await check())?.verdict).toBe("ok");
      expect((await client.waitFor(id, { intervalMs: 200, timeoutMs: 20_000 })).status).toBe(
        "completed",
      );
    } finally {
      await gpu.stop();
    }
    const after = (await client.workers()).workers.find((w) => w.id === "gpu-worker");
    expect(after).toMatchObject({ live: false });
    expect(after!.stoppedAt).toBeGreaterThan(0);
  }, 60_000);

  it("the running count in the status is what the workers run", async () => {
    const { id } = await client.submit({
      name: "busy",
      tasks: [
        { name: "one", command: "sleep 2" },
        { name: "two", command: "sleep 2" },
        { name: "after", command: "true", depends_on: ["one", "two"] },
      ],
    });
    const deadline = Date.now() + 10_000;
    let seen: { status: number; worker: number } | null = null;
    while (Date.now() < deadline && seen === null) {
      const s = await client.status(id, { detail: true });
      const row = (await client.workers()).workers.find((w) => w.id === "test-worker-1");
      if (s.counts.running === 2 && row?.running === 2) seen = { status: 2, worker: 2 };
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen).toEqual({ status: 2, worker: 2 });
    await client.waitFor(id, { intervalMs: 200, timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 1500)); // one heartbeat later
    expect((await client.workers()).workers.find((w) => w.id === "test-worker-1")?.running).toBe(0);
  }, 30_000);

  it("a worker whose heartbeat stopped (killed) shows as lost, and rows a day old are forgotten", async () => {
    const now = Date.now();
    const row = {
      id: "killed-worker",
      host: "h",
      pid: 1,
      queues: ["default"],
      concurrency: 1,
      running: 1,
      version: "0",
      startedAt: now - 600_000,
      lastSeen: now - 60_000,
      heartbeatS: 10,
      stoppedAt: 0,
    };
    await engine.storage.tables.upsert(engine.names.workersTable, toWorkerEntity(row));
    await engine.storage.tables.upsert(
      engine.names.workersTable,
      toWorkerEntity({ ...row, id: "ancient", lastSeen: now - 2 * 86_400_000 }),
    );
    const { workers } = await client.workers();
    expect(workers.find((w) => w.id === "killed-worker")).toMatchObject({
      live: false,
      stoppedAt: 0,
    });
    expect(workers.find((w) => w.id === "ancient")).toBeUndefined();
    expect(
      await engine.storage.tables.get(engine.names.workersTable, "worker", "ancient"),
    ).toBeNull();
  });
});
