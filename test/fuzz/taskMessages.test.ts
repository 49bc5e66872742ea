/**
 * Hostile task messages into the queue a `dagq worker` process serves: text that is no JSON,
 * messages of wrong types, env names and values a process cannot take, inputs nested thousands
 * of levels or in blobs that do not exist, completion queues and signals blobs that are no
 * such thing. The worker must stay up, set each message aside or run and report it, leave no
 * message circling the queue, and still run a real workflow's task queued after them.
 *
 * Commands are never mutated (a random string is a random shell command), and the worker runs
 * in a folder of its own.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QueueServiceClient } from "@azure/storage-queue";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtCli } from "../../scripts/chaos/builtCli.js";
import { waitFor } from "../host/azuriteFixture.js";
import { azuriteConnectionString } from "../support/azurite.js";
import { type FuzzHost, getJson, startFuzzHost, submit } from "./fuzzHost.js";
import { deepArrayText, deepValue, hostileString, hostileValue, mutationsOf } from "./hostile.js";

const TASK_CASES = 100;
const HUGE = 10_000;

let fuzz: FuzzHost;
let worker: ChildProcess;
let workerLog = "";
beforeAll(async () => {
  fuzz = await startFuzzHost("t");
  worker = spawn(
    process.execPath,
    [
      ...[builtCli(), "worker", "--prefix", fuzz.prefix, "--queue", "fuzz"],
      // Messages whose inputs blob is missing hold a slot while the read is retried (~45 s).
      ...["--visibility", "5", "--concurrency", "8"],
    ],
    {
      cwd: mkdtempSync(join(tmpdir(), "dagq-fuzz-worker-")),
      env: { ...process.env, DagqStorage: azuriteConnectionString() },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  worker.stderr?.on("data", (c: Buffer) => {
    workerLog = (workerLog + c.toString("utf8")).slice(-65536);
  });
});
afterAll(async () => {
  worker?.kill("SIGKILL");
  await fuzz?.stop();
});

/**
 * Messages aimed mostly at a real running workflow (a made-up one is dropped before anything
 * runs: it has no signals blob), for a task name it does not have.
 */
function messageArb(prefix: string, victim: string) {
  const id = fc.oneof(
    { weight: 4, arbitrary: fc.constant(victim) },
    fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,62}$/),
  );
  const base = id.map((id) => ({
    v: 1,
    workflow_id: id,
    task: "fuzz/t",
    attempt: 1,
    command: "true",
    env: {},
    timeout_s: null,
    completion_queue: `${prefix}-completions`,
    signals_blob: `wf/${id}/signals.json`,
  }));
  const envName = fc.oneof(
    fc.constantFrom("PATH", "LD_PRELOAD", "DAGQ_OUTPUT", "A=B", "", "\u0000", "__proto__"),
    hostileString(200),
  );
  const shaped = fc.oneof(
    base.chain((b) => mutationsOf(b, HUGE)),
    fc
      .tuple(base, fc.dictionary(envName, hostileString(HUGE), { maxKeys: 4 }))
      .map(([b, env]) => ({ ...b, env })),
    fc
      .tuple(base, fc.oneof(hostileValue(HUGE), fc.constant(deepValue(3_000))))
      .map(([b, inputs]) => ({ ...b, inputs })),
    fc
      .tuple(base, fc.oneof(fc.constantFrom("wf/x/none.json", ""), hostileString(300)))
      .map(([b, ref]) => ({ ...b, inputs_ref: ref })),
    fc
      .tuple(
        base,
        fc.oneof(
          fc.constantFrom("", "UPPER", "a", `${prefix}-nowhere`, "../x", "x".repeat(100)),
          hostileString(200),
        ),
      )
      .map(([b, q]) => ({ ...b, completion_queue: q })),
    fc
      .tuple(
        base,
        fc.oneof(fc.constantFrom("", "../../x", "wf/none/signals.json"), hostileString(300)),
      )
      .map(([b, blob]) => ({ ...b, signals_blob: blob })),
    fc
      .tuple(base, fc.constantFrom<unknown>(0, 0.001, -1, 1e9, "1", null))
      .map(([b, t]) => ({ ...b, timeout_s: t })),
  );
  return fc.oneof(
    { weight: 6, arbitrary: shaped.map(withSafeCommand) },
    fc.constantFrom("", "not json", "[]", "null", deepArrayText(20_000), '{"__proto__":{"v":1}}'),
  );
}

/** The message as text, its command (if it still has one) a harmless one. */
function withSafeCommand(message: unknown): string {
  if (typeof message === "object" && message !== null && !Array.isArray(message)) {
    const m = message as Record<string, unknown>;
    if (typeof m.command === "string") m.command = "true";
  }
  return JSON.stringify(message) ?? "null";
}

describe("a worker under hostile task messages", () => {
  it("stays up, leaves no message circling, and still runs a real task queued after them", async () => {
    const queue = QueueServiceClient.fromConnectionString(azuriteConnectionString()).getQueueClient(
      `${fuzz.prefix}-tasks-fuzz`,
    );
    await queue.createIfNotExists();
    // Running for the whole test: its only task waits in a queue no worker serves.
    const victim = await submit(fuzz.api, {
      name: "victim",
      tasks: [{ name: "wait", command: "true", queue: "nobody" }],
    });
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(messageArb(fuzz.prefix, victim), async (text) => {
        fc.pre(Buffer.byteLength(text) <= 60_000);
        await queue.sendMessage(text);
        sent++;
      }),
      { numRuns: TASK_CASES },
    );
    expect(sent).toBe(TASK_CASES);
    const id = await submit(fuzz.api, {
      name: "after-the-fuzz",
      tasks: [{ name: "real", command: `printf '{"ok":true}' > "$DAGQ_OUTPUT"`, queue: "fuzz" }],
    });
    const status = await waitFor(
      "the real task to run",
      async () => {
        const s = (await getJson(`${fuzz.api}/workflows/${id}?detail=true`)).body as {
          status: string;
        };
        return s.status === "running" && worker.exitCode === null ? null : s.status;
      },
      60_000,
      250,
    ).catch((e: unknown) => `${String(e)}\nworker: ${workerLog.slice(-2000)}`);
    expect(worker.exitCode, workerLog.slice(-2000)).toBeNull();
    expect(status).toBe("completed");
    await waitFor(
      "every hostile message to be run or set aside",
      async () => (await queue.getProperties()).approximateMessagesCount === 0,
      // A message whose inputs blob is missing is retried 8 times with backoff (about 30 s)
      // before it is set aside; several of them share the worker's 4 slots.
      150_000,
      500,
    ).catch((e: unknown) => expect.fail(`${String(e)}\nworker: ${workerLog.slice(-3000)}`));
  }, 300_000);
});
