import { describe, expect, it } from "vitest";
import { memoryStorage } from "../../src/memory/memoryStorage.js";
import type { Completion } from "../../src/protocol/messages.js";
import { CompletionSender } from "../../src/worker/completionSender.js";

const started = (task: string): Completion => ({
  kind: "started",
  workflow_id: "w1",
  task,
  attempt: 1,
});
const completed = (task: string): Completion => ({
  kind: "completed",
  workflow_id: "w1",
  task,
  attempt: 1,
});

async function queue() {
  const { queues } = memoryStorage();
  await queues.ensure("done");
  const sent = async () =>
    (await queues.receive("done", 32, 30)).map(
      (m) => (JSON.parse(m.text) as { completions: Completion[] }).completions,
    );
  return { queues, sent };
}

const settledWithin = (p: Promise<unknown>, ms: number) =>
  Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), ms))]);

describe("the worker's completion sender", () => {
  it("sends a completion at once when no other report can join it (no linger)", async () => {
    const { queues, sent } = await queue();
    const sender = new CompletionSender(queues, "done", {
      lingerMs: 60_000,
      maxBatch: 100,
      lingerWhile: () => false,
    });
    expect(await settledWithin(sender.send(completed("a")), 2000)).toBe(true);
    expect(await sent()).toEqual([[completed("a")]]);
  });

  it("lingers while other tasks run, so that their reports share the message", async () => {
    const { queues, sent } = await queue();
    let others = true;
    const sender = new CompletionSender(queues, "done", {
      lingerMs: 300,
      maxBatch: 100,
      lingerWhile: () => others,
    });
    const first = sender.send(completed("a"));
    expect(await settledWithin(first, 100)).toBe(false);
    others = false;
    await sender.send(completed("b"));
    await first;
    expect(await sent()).toEqual([[completed("a"), completed("b")]]);
  });

  it("keeps a started report for the completion that follows it: one message for both", async () => {
    const { queues, sent } = await queue();
    const sender = new CompletionSender(queues, "done", {
      lingerMs: 300,
      maxBatch: 100,
      lingerWhile: () => false,
    });
    const start = sender.send(started("a"));
    expect(await settledWithin(start, 100)).toBe(false);
    await sender.send(completed("a"));
    await start;
    expect(await sent()).toEqual([[started("a"), completed("a")]]);
  });
});
