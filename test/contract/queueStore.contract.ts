/**
 * The QueueStore contract (src/storage/ports.ts), run on every adapter. Each test gets its own
 * queue names, derived from the test's name.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { QueueStore } from "../../src/storage/ports.js";
import { uniqueName } from "../support/names.js";
import { expectFailure } from "./assertions.js";

export interface QueueFixture {
  readonly store: QueueStore;
  /** The store's notion of now, in epoch ms. */
  readonly now: () => number;
  /** Moves the store's clock forward: only adapters with a fake clock offer it. */
  readonly advance?: (ms: number) => void;
}

export function describeQueueStoreContract(
  name: string,
  make: () => QueueFixture | Promise<QueueFixture>,
): void {
  describe(`QueueStore contract: ${name}`, () => {
    let fixture: QueueFixture;
    let store: QueueStore;
    let q: string;

    beforeEach(async (ctx) => {
      fixture = await make();
      store = fixture.store;
      q = uniqueName(`q ${ctx.task.name}`);
      await store.ensure(q);
    });

    it("ensure is idempotent and a new queue is empty", async () => {
      await store.ensure(q);
      expect(await store.depth(q)).toBe(0);
      expect(await store.receive(q, 32, 30)).toEqual([]);
    });

    it("round-trips UTF-8 text exactly", async () => {
      const texts = [
        '{"task":"train/rf","attempt":1}',
        "héllo wörld ✓ 😀",
        "<a>&amp;</a> 'q' \"dq\"",
      ];
      for (const t of texts) await store.send(q, t);
      const before = fixture.now();
      const got = await store.receive(q, 32, 30);
      expect(got.map((m) => m.text).sort()).toEqual([...texts].sort());
      for (const m of got) {
        expect(m.dequeueCount).toBe(1);
        expect(m.id).toEqual(expect.any(String));
        expect(m.popReceipt).toEqual(expect.any(String));
        expect(Math.abs(m.insertedOn - before)).toBeLessThan(60_000);
      }
    });

    it("carries a 48 KiB message", async () => {
      const big = "x".repeat(48 * 1024);
      await store.send(q, big);
      expect((await store.receive(q, 1, 30))[0]?.text).toBe(big);
    });

    it("carries up to 64 KiB counted in UTF-8 bytes, and refuses one byte more", async () => {
      const full = "é".repeat(32 * 1024); // 2 bytes each: 65,536 bytes in 32,768 characters
      await store.send(q, full);
      expect((await store.receive(q, 1, 30))[0]?.text).toBe(full);
      await expectFailure(store.send(q, `${full}x`));
    });

    it("a received message is invisible until released; release(0) brings it back", async () => {
      await store.send(q, "m");
      const [first] = await store.receive(q, 32, 60);
      expect(first?.text).toBe("m");
      expect(await store.receive(q, 32, 60)).toEqual([]);
      expect(await store.depth(q)).toBe(1);
      await store.release(q, first!, 0);
      const [again] = await store.receive(q, 32, 60);
      expect(again?.id).toBe(first?.id);
      expect(again?.dequeueCount).toBe(2);
      expect(await store.delete(q, again!)).toBe(true);
      expect(await store.depth(q)).toBe(0);
    });

    it("delete with a stale pop receipt returns false and keeps the message", async () => {
      await store.send(q, "m");
      const [first] = await store.receive(q, 1, 60);
      await store.release(q, first!, 0); // issues a new receipt
      expect(await store.delete(q, first!)).toBe(false);
      const [second] = await store.receive(q, 1, 60);
      expect(await store.delete(q, first!)).toBe(false);
      expect(await store.depth(q)).toBe(1);
      expect(await store.delete(q, second!)).toBe(true);
      expect(await store.delete(q, second!)).toBe(false); // already gone
    });

    it("release can keep a message hidden longer; the returned receipt deletes it", async () => {
      await store.send(q, "long task");
      const [first] = await store.receive(q, 1, 60);
      const extended = await store.release(q, first!, 120);
      expect(extended?.id).toBe(first?.id);
      expect(extended?.popReceipt).not.toBe(first?.popReceipt);
      expect(await store.receive(q, 1, 60)).toEqual([]);
      expect(await store.delete(q, first!)).toBe(false);
      expect(await store.delete(q, extended!)).toBe(true);
      expect(await store.depth(q)).toBe(0);
    });

    it("release with a stale pop receipt is a no-op", async () => {
      await store.send(q, "m");
      const [first] = await store.receive(q, 1, 60);
      await store.release(q, first!, 0);
      const [second] = await store.receive(q, 1, 60);
      expect(await store.release(q, first!, 0)).toBeNull(); // not ours any more: must not free second's hold

      expect(await store.receive(q, 1, 60)).toEqual([]);
      expect(await store.delete(q, second!)).toBe(true);
    });

    it("delayS hides a new message; depth still counts it", async () => {
      await store.send(q, "later", { delayS: 60 });
      await store.send(q, "now");
      const got = await store.receive(q, 32, 30);
      expect(got.map((m) => m.text)).toEqual(["now"]);
      expect(await store.depth(q)).toBe(2);
      expect(await store.delete(q, got[0]!)).toBe(true);
      if (fixture.advance) {
        fixture.advance(61_000);
        expect((await store.receive(q, 32, 30)).map((m) => m.text)).toEqual(["later"]);
      }
    });

    it("receive returns at most max messages and refuses more than 32", async () => {
      for (let i = 0; i < 5; i++) await store.send(q, `m${i}`);
      expect(await store.receive(q, 3, 30)).toHaveLength(3);
      expect(await store.receive(q, 32, 30)).toHaveLength(2);
      await expectFailure(store.receive(q, 33, 30));
    });

    it("clear empties the queue", async () => {
      for (let i = 0; i < 3; i++) await store.send(q, `m${i}`);
      await store.receive(q, 1, 60);
      await store.clear(q);
      expect(await store.depth(q)).toBe(0);
      expect(await store.receive(q, 32, 30)).toEqual([]);
    });

    it("list returns the queues under a prefix", async () => {
      const base = uniqueName("list");
      for (const name of [`${base}-b`, base, `${base}-a`]) await store.ensure(name);
      expect((await store.list(base)).sort()).toEqual([base, `${base}-a`, `${base}-b`]);
      expect(await store.list(`${base}-c`)).toEqual([]);
    });

    it("sending to a missing queue fails", async () => {
      await expectFailure(store.send(`${q.slice(0, 55)}-none`, "x"));
    });
  });
}
