/**
 * Hostile completion messages into a `dagq host` process's completion queue: whole messages
 * that are not JSON, not objects or too long; reports of wrong types, nested thousands of
 * levels, huge, with `__proto__` keys and control characters, for unknown workflows, stale
 * or never-dispatched attempts of the bystander, output refs to blobs that are not outputs;
 * each message mixed with good reports of the victim workflow.
 *
 * The queue must drain (no hang), the host must live, the bystander must not change, and every
 * good report must be applied whatever travelled with it: one bad report never sinks others.
 */
import { QueueServiceClient } from "@azure/storage-queue";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../host/azuriteFixture.js";
import { azuriteConnectionString } from "../support/azurite.js";
import {
  fill,
  goodCompletions,
  kOf,
  M_TASKS,
  m,
  messageArb,
  ok,
  textOf,
  withDeepOutputs,
} from "./completionReports.js";
import {
  BYSTANDER,
  BYSTANDER_TASKS,
  everything,
  type FuzzHost,
  getJson,
  startFuzzHost,
  submit,
} from "./fuzzHost.js";

/** Messages per run. */
const MESSAGE_CASES = 150;
const OK_TASKS = MESSAGE_CASES;
/** What a storage queue message holds, with room for the SDK's envelope. */
const MAX_MESSAGE_BYTES = 60_000;

let fuzz: FuzzHost;
beforeAll(async () => {
  fuzz = await startFuzzHost("c");
});
afterAll(() => fuzz?.stop());

interface TaskRow {
  readonly name: string;
  readonly status: string;
  readonly output: unknown;
}

describe("the completion queue under hostile messages", () => {
  it("drains, keeps the host alive, changes no other workflow and applies every good report", async () => {
    const queues = QueueServiceClient.fromConnectionString(azuriteConnectionString());
    const completions = queues.getQueueClient(`${fuzz.prefix}-completions`);
    const bystander = await submit(fuzz.api, BYSTANDER);
    // Give the bystander a history: attempt 1 failed, attempt 2 dispatched.
    await completions.sendMessage(
      textOf({
        v: 1,
        completions: [
          { kind: "started", workflow_id: bystander, task: "keep/a", attempt: 1 },
          { kind: "failed", workflow_id: bystander, task: "keep/a", attempt: 1, error: "x" },
        ],
      }),
    );
    const taskA = `${fuzz.api}/workflows/${bystander}/tasks/keep%2Fa`;
    await waitFor(
      "the bystander's retry",
      async () => ((await getJson(taskA)).body as { attempt?: number }).attempt === 2,
      20_000,
      100,
    );
    const before = await everything(fuzz.api, bystander, BYSTANDER_TASKS);
    const victim = await submit(fuzz.api, {
      name: "victim",
      tasks: [
        ...Array.from({ length: OK_TASKS }, (_, k) => ({ name: ok(k), command: "true" })),
        ...Array.from({ length: M_TASKS }, (_, k) => ({ name: m(k), command: "true" })),
      ],
    });

    const completed = new Set<string>();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(messageArb(victim, bystander), async (message) => {
        // Each message's good reports name a task of its own: if they were lost with the
        // message, no other message could hide it.
        const text =
          typeof message === "string"
            ? message
            : withDeepOutputs(
                textOf({
                  v: 1,
                  completions: message.completions.map((c) => fill(c, victim, sent)),
                }),
              );
        fc.pre(Buffer.byteLength(text) <= MAX_MESSAGE_BYTES);
        await completions.sendMessage(text);
        sent++;
        for (const task of goodCompletions(text, victim)) completed.add(task);
      }),
      { numRuns: MESSAGE_CASES },
    );
    expect(sent).toBe(MESSAGE_CASES);

    await waitFor(
      "the completion queue to drain",
      async () =>
        (await completions.getProperties()).approximateMessagesCount === 0 || fuzz.exited(),
      90_000,
      250,
    );
    expect(fuzz.exited(), fuzz.log().slice(-2000)).toBeNull();

    const tasksUrl = `${fuzz.api}/workflows/${victim}/tasks?prefix=ok/`;
    const notApplied = async () =>
      ((await getJson(tasksUrl)).body as { tasks: TaskRow[] }).tasks
        .filter((t) => completed.has(t.name))
        .filter((t) => t.status !== "completed" || textOf(t.output) !== textOf({ k: kOf(t.name) }))
        .map((t) => `${t.name} ${t.status} ${textOf(t.output)}`);
    // Parked reports reach the state a moment after their message is gone.
    let lost = await notApplied();
    for (const deadline = Date.now() + 20_000; lost.length > 0 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 250));
      lost = await notApplied();
    }
    expect
      .soft(lost, `good reports lost with the bad ones:\n${fuzz.log().slice(-2000)}`)
      .toEqual([]);
    expect(completed.size).toBeGreaterThan(0);
    // A malformed report is rejected with its reason at once; nothing in a message may make
    // the handler throw, which retries the whole message and then poisons it, good reports too.
    const threw = fuzz
      .log()
      .split("\n")
      .filter((l) => / failed \(attempt \d+\)/.test(l));
    expect.soft(threw, "messages the handler threw on").toEqual([]);
    expect(await everything(fuzz.api, bystander, BYSTANDER_TASKS)).toEqual(before);
  }, 180_000);
});
