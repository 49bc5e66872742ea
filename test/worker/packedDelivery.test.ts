import { describe, expect, it } from "vitest";
import { MemoryQueueStore } from "../../src/memory/memoryQueueStore.js";
import { packText, unpackTexts } from "../../src/protocol/taskPack.js";
import type { QueueStore } from "../../src/storage/ports.js";
import { takeTasks } from "../../src/worker/packedDelivery.js";
import { StorageQueueSource } from "../../src/worker/taskSource.js";

const Q = "tasks";
const tasks = (n: number, from = 0) =>
  Array.from({ length: n }, (_, k) => JSON.stringify({ task: `t${from + k}` }));

/** A queue holding `messages` (each a list of task texts), and a source on it. */
async function queueWith(messages: string[][], queues: QueueStore = new MemoryQueueStore()) {
  await queues.ensure(Q);
  for (const m of messages) await queues.send(Q, packText(m));
  const source = new StorageQueueSource(queues, Q);
  const take = async (room: number, max = 32) => {
    const got = await source.receive(max, 60);
    return takeTasks(
      got,
      room,
      (text) => source.requeue(text),
      () => {},
    );
  };
  /** Every task text visible in the queue now, taking the messages (and deleting them). */
  const drain = async () => {
    const out: string[][] = [];
    for (const m of await queues.receive(Q, 32, 60)) {
      out.push(unpackTexts(m.text));
      await queues.delete(Q, m);
    }
    return out;
  };
  return { queues, take, drain };
}

describe("a worker's share of packed task messages", () => {
  it("a pack within the room: every task a delivery; the message goes with the last one done", async () => {
    const { queues, take } = await queueWith([tasks(3)]);
    const { tasks: got, largestPack } = await take(4);
    expect(largestPack).toBe(3);
    expect(got.map((d) => d.text)).toEqual(tasks(3));
    await got[0]!.complete();
    await got[2]!.complete();
    expect(await queues.depth(Q)).toBe(1); // still hidden, still there
    await got[1]!.complete();
    expect(await queues.depth(Q)).toBe(0);
  });

  it("a pack over the room: the rest is sent back as a pack of its own before any task runs", async () => {
    const { queues, take, drain } = await queueWith([tasks(5)]);
    const { tasks: got } = await take(2);
    expect(got.map((d) => d.text)).toEqual(tasks(2));
    expect(await drain()).toEqual([tasks(3, 2)]); // visible at once, for anyone
    for (const d of got) await d.complete();
    expect(await queues.depth(Q)).toBe(0);
  });

  it("messages beyond the room are given back whole, visible again at once", async () => {
    const { take, drain } = await queueWith([tasks(2), tasks(2, 2), [tasks(1, 4)[0]!]]);
    const { tasks: got } = await take(2);
    expect(got.map((d) => d.text)).toEqual(tasks(2));
    expect(await drain()).toEqual([tasks(2, 2), tasks(1, 4)]);
  });

  it("plain task messages are deliveries as they were received", async () => {
    const { queues, take } = await queueWith([tasks(1), tasks(1, 1)]);
    const { tasks: got, largestPack } = await take(4);
    expect(largestPack).toBe(1);
    expect(got.map((d) => d.text)).toEqual([...tasks(1), ...tasks(1, 1)]);
    await got[0]!.complete();
    expect(await queues.depth(Q)).toBe(1);
  });

  it("at shutdown, only the tasks given back are sent again: the done ones never rerun", async () => {
    const { queues, take, drain } = await queueWith([tasks(3)]);
    const { tasks: got } = await take(3);
    await got[0]!.complete();
    await got[1]!.abandon();
    await got[2]!.abandon();
    expect(await drain()).toEqual([tasks(2, 1)]);
    expect(await queues.depth(Q)).toBe(0);
  });

  it("every task given back: the message itself is given back, no copy is made", async () => {
    const { queues, take, drain } = await queueWith([tasks(3)]);
    const { tasks: got } = await take(3);
    for (const d of got) await d.abandon();
    expect(await queues.depth(Q)).toBe(1);
    expect(await drain()).toEqual([tasks(3)]);
  });

  it("a malformed member sets the pack aside with its reason once the others are done", async () => {
    const { queues, take } = await queueWith([tasks(3)]);
    const { tasks: got } = await take(3);
    await queues.ensure(`${Q}-poison`);
    await got[1]!.poison("not a task message");
    expect(await queues.depth(`${Q}-poison`)).toBe(0); // the others still run
    await got[0]!.complete();
    await got[2]!.complete();
    expect(await queues.depth(Q)).toBe(0);
    const [p] = await queues.receive(`${Q}-poison`, 1, 60);
    const record = JSON.parse(p!.text);
    expect(record.reason).toBe("pack[1]: not a task message");
    expect(unpackTexts(record.message)).toEqual(tasks(3));
  });

  it("a failed delete is retried without sending the tasks given back twice", async () => {
    const inner = new MemoryQueueStore();
    let failDeletes = 1;
    let sends = 0;
    const flaky: QueueStore = Object.assign(Object.create(inner) as QueueStore, {
      delete: async (...args: Parameters<QueueStore["delete"]>) => {
        if (failDeletes-- > 0) throw new Error("503 server busy");
        return inner.delete(...args);
      },
      send: async (...args: Parameters<QueueStore["send"]>) => {
        sends++;
        return inner.send(...args);
      },
    });
    const { take, drain } = await queueWith([tasks(2)], flaky);
    sends = 0;
    const { tasks: got } = await take(2);
    await got[0]!.abandon();
    await expect(got[1]!.complete()).rejects.toThrow("503");
    await got[1]!.complete(); // the worker's retry
    expect(sends).toBe(1);
    expect(await drain()).toEqual([tasks(1)]);
  });

  it("the message is renewed once per period, not once per task", async () => {
    const inner = new MemoryQueueStore();
    let renewals = 0;
    const counting: QueueStore = Object.assign(Object.create(inner) as QueueStore, {
      release: async (...args: Parameters<QueueStore["release"]>) => {
        renewals++;
        return inner.release(...args);
      },
    });
    const { take } = await queueWith([tasks(4)], counting);
    const { tasks: got } = await take(4);
    await Promise.all(got.map((d) => d.extend(60)));
    expect(renewals).toBe(1);
  });
});
