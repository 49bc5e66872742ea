import type { StorageQueueHandler } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QueueSettings } from "../../src/host/hostJson.js";
import { DEFAULT_HOLD_MS, MIN_POLL_MS, QueueTrigger } from "../../src/host/queueTrigger.js";
import { StatsTelemetry } from "../../src/observability/telemetry.js";
import type { QueueStore } from "../../src/storage/ports.js";
import { uniqueName } from "../support/names.js";
import { queueStore, type TestAzurite, useAzurite, waitFor, wrapQueues } from "./azuriteFixture.js";

let azurite: TestAzurite;
let queues: QueueStore;

beforeAll(async () => {
  azurite = await useAzurite();
  queues = queueStore(azurite.connectionString);
});

afterAll(() => azurite?.stop());

const settings: QueueSettings = {
  batchSize: 4,
  newBatchThreshold: 2,
  maxPollingIntervalMs: 500,
  visibilityTimeoutMs: 1000,
  maxDequeueCount: 3,
  messageEncoding: "none",
};

/** A started trigger on a fresh queue, and what it logged. */
async function trigger(
  handler: StorageQueueHandler,
  opts: {
    settings?: Partial<QueueSettings>;
    store?: QueueStore;
    messages?: string[];
    functionTimeoutMs?: number;
    holdMs?: number;
  } = {},
) {
  // Short: `<queue>-poison` must still fit the 63-character limit on queue names.
  const queue = uniqueName("qt");
  await queues.ensure(queue);
  for (const m of opts.messages ?? []) await queues.send(queue, m);
  const logs: string[] = [];
  const stats = new StatsTelemetry();
  const t = new QueueTrigger({
    name: "probe",
    queue,
    queues: opts.store ?? queues,
    settings: { ...settings, ...opts.settings },
    functionTimeoutMs: opts.functionTimeoutMs ?? 60_000,
    ...(opts.holdMs !== undefined ? { holdMs: opts.holdMs } : {}),
    handler,
    log: (level, message) => logs.push(`${level} ${message}`),
    stats,
  });
  t.start();
  return { queue, logs, stats, trigger: t };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("queue trigger on Azurite", () => {
  it("runs a batch concurrently, fetches more at newBatchThreshold, deletes what succeeded", async () => {
    let running = 0;
    let maxRunning = 0;
    const seen: unknown[] = [];
    const messages = Array.from({ length: 10 }, (_, i) => JSON.stringify({ n: i }));
    const { queue, trigger: t } = await trigger(
      async (message) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(150);
        seen.push(message);
        running--;
      },
      { messages },
    );
    await waitFor("all ten handled", async () => seen.length === 10);
    await t.stop();
    // JSON messages arrive parsed, as the Functions Node worker hands them over.
    expect(seen.map((m) => (m as { n: number }).n).sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    // One batch of 4 at once, and never more than batchSize + newBatchThreshold.
    expect(maxRunning).toBeGreaterThanOrEqual(4);
    expect(maxRunning).toBeLessThanOrEqual(6);
    expect(await queues.depth(queue)).toBe(0);
  });

  it("makes a failed message visible again after visibilityTimeout, then poisons it at maxDequeueCount", async () => {
    const attempts: Array<{ count: unknown; at: number; text: unknown }> = [];
    const {
      queue,
      logs,
      stats,
      trigger: t,
    } = await trigger(
      async (message, context) => {
        attempts.push({
          count: context.triggerMetadata?.dequeueCount,
          at: Date.now(),
          text: message,
        });
        if (message !== "recovers" || attempts.filter((a) => a.text === "recovers").length < 2) {
          throw new Error("handler failed on purpose");
        }
      },
      { messages: ["always fails", "recovers"] },
    );
    const poison = `${queue}-poison`;
    await waitFor(
      "the poison message",
      async () => (await queues.list(poison)).length > 0 && (await queues.depth(poison)) === 1,
    );
    await t.stop();
    const failing = attempts.filter((a) => a.text === "always fails");
    expect(failing.map((a) => a.count)).toEqual([1, 2, 3]);
    for (let i = 1; i < failing.length; i++) {
      expect(failing[i]!.at - failing[i - 1]!.at).toBeGreaterThanOrEqual(900);
    }
    expect(attempts.filter((a) => a.text === "recovers").map((a) => a.count)).toEqual([1, 2]);
    const [moved] = await queues.receive(poison, 32, 30);
    expect(moved?.text).toBe("always fails");
    expect(await queues.depth(queue)).toBe(0);
    expect(stats.counter("host.queue.poisoned")).toBe(1);
    expect(stats.counter("host.queue.failures")).toBe(4);
    expect(
      logs.some((l) => l.startsWith("error [probe]") && l.includes(`moved to ${poison}`)),
    ).toBe(true);
  });

  it("backs off exponentially while the queue is empty, up to maxPollingInterval", async () => {
    const polls: number[] = [];
    const store = wrapQueues(queues, {
      receive: (q, max, v) => {
        polls.push(Date.now());
        return queues.receive(q, max, v);
      },
    });
    const handled: number[] = [];
    const { queue, trigger: t } = await trigger(async () => void handled.push(Date.now()), {
      store,
    });
    await sleep(2500);
    const gaps = polls.slice(1).map((at, i) => at - polls[i]!);
    // 100, 200, 400, then 500 (the cap): a tight loop would have polled hundreds of times.
    expect(polls.length).toBeGreaterThanOrEqual(5);
    expect(polls.length).toBeLessThanOrEqual(9);
    expect(gaps[0]).toBeGreaterThanOrEqual(MIN_POLL_MS - 5);
    expect(gaps[2]!).toBeGreaterThan(gaps[0]!);
    expect(Math.max(...gaps)).toBeLessThan(500 + 250);
    const sentAt = Date.now();
    await queues.send(queue, "wake up");
    await waitFor("the message", async () => handled.length === 1);
    expect(handled[0]! - sentAt).toBeLessThan(500 + 400);
    await t.stop();
  });

  it("survives transient receive errors and keeps polling", async () => {
    let failuresLeft = 2;
    const store = wrapQueues(queues, {
      receive: async (q, max, v) => {
        if (failuresLeft-- > 0) throw new Error("ECONNRESET (injected)");
        return queues.receive(q, max, v);
      },
    });
    const handled: unknown[] = [];
    const {
      queue,
      logs,
      stats,
      trigger: t,
    } = await trigger(async (m) => void handled.push(m), {
      store,
      messages: ["first"],
    });
    await waitFor("the first message", async () => handled.length === 1);
    await queues.send(queue, "second");
    await waitFor("the second message", async () => handled.length === 2);
    await t.stop();
    expect(handled).toEqual(["first", "second"]);
    expect(stats.counter("host.queue.receive_errors")).toBe(2);
    expect(logs.filter((l) => l.includes("ECONNRESET (injected)"))).toHaveLength(2);
  });

  it("decodes base64 messages and waits for running handlers on stop", async () => {
    let finished = false;
    const got: unknown[] = [];
    const { queue, trigger: t } = await trigger(
      async (m) => {
        got.push(m);
        await sleep(300);
        finished = true;
      },
      {
        settings: { messageEncoding: "base64" },
        messages: [Buffer.from('{"hello":"world"}').toString("base64")],
      },
    );
    await waitFor("the handler to start", async () => got.length === 1);
    await t.stop();
    expect(finished).toBe(true);
    expect(got).toEqual([{ hello: "world" }]);
    expect(await queues.depth(queue)).toBe(0);
  });

  it("holds a received message 10 minutes, as the Functions host does, and renews it at half", async () => {
    // The Functions host's queue listener: 10-minute visibility, renewed every 5 minutes.
    expect(DEFAULT_HOLD_MS).toBe(600_000);
    const received: number[] = [];
    const renewals: Array<{ at: number; visibilityS: number }> = [];
    const recording = () =>
      wrapQueues(queues, {
        receive: (q, max, v) => {
          received.push(v);
          return queues.receive(q, max, v);
        },
        release: (q, m, v) => {
          renewals.push({ at: Date.now(), visibilityS: v });
          return queues.release(q, m, v);
        },
      });
    const a = await trigger(async () => {}, { store: recording(), messages: ["x"] });
    await waitFor("the message handled", async () => (await queues.depth(a.queue)) === 0);
    await a.trigger.stop();
    expect(received[0]).toBe(600);
    expect(renewals).toEqual([]);

    // Shortened (tests may): 2 s held, renewed every second while a 3.2 s handler runs.
    received.length = 0;
    const started = Date.now();
    const b = await trigger(() => sleep(3200), {
      store: recording(),
      holdMs: 2000,
      messages: ["slow"],
    });
    await waitFor("the slow message handled", async () => (await queues.depth(b.queue)) === 0);
    await b.trigger.stop();
    expect(received[0]).toBe(2);
    const renewing = renewals.filter((r) => r.visibilityS === 2);
    expect(renewing.length).toBeGreaterThanOrEqual(2);
    expect(renewing.length).toBeLessThanOrEqual(4);
    expect(renewing[0]!.at - started).toBeGreaterThanOrEqual(900);
  }, 20_000);

  it("abandons an invocation past functionTimeout and fails it: retried after visibilityTimeout, then poisoned", async () => {
    const calls: unknown[] = [];
    const {
      queue,
      logs,
      stats,
      trigger: t,
    } = await trigger(
      async (_message, context) => {
        calls.push(context.triggerMetadata?.dequeueCount);
        await sleep(5000); // never finishes in time
      },
      { messages: ["stuck"], functionTimeoutMs: 300 },
    );
    await waitFor("the poisoned message", async () => {
      const poison = await queues.list(`${queue}-poison`);
      return poison.length > 0 && (await queues.depth(`${queue}-poison`)) === 1;
    });
    await t.stop();
    expect(calls).toEqual([1, 2, 3]);
    expect(stats.counter("host.queue.failures")).toBe(3);
    expect(
      logs.filter((l) => /^error .*timeout value of 00:00:00\.300 exceeded/.test(l)),
    ).toHaveLength(3);
    expect(logs.some((l) => /restarts the worker/.test(l))).toBe(true);
  }, 20_000);
});
