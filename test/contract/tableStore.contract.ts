/**
 * The TableStore contract (src/storage/ports.ts), run on every adapter. Each test gets its own
 * table, named after the test.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { Entity, TableQuery, TableStore } from "../../src/storage/ports.js";
import { uniqueTableName } from "../support/names.js";
import { collect, expectFailure } from "./assertions.js";

export interface TableFixture {
  readonly store: TableStore;
  /** Lets time pass for the store: a fake clock's advance, or a real sleep. */
  readonly pass: (ms: number) => Promise<void>;
}

/** Entities without the service-owned timestamp, for comparing contents. */
function plain(entities: readonly Entity[]): Array<Record<string, unknown>> {
  return entities.map(({ timestamp: _, ...rest }) => rest);
}

export function describeTableStoreContract(
  name: string,
  make: () => TableFixture | Promise<TableFixture>,
): void {
  describe(`TableStore contract: ${name}`, () => {
    let fixture: TableFixture;
    let store: TableStore;
    let t: string;
    const rows = async (q: TableQuery) => collect(store.query(t, q));
    const rowKeys = async (q: TableQuery) => (await rows(q)).map((e) => e.rowKey);

    beforeEach(async (ctx) => {
      fixture = await make();
      store = fixture.store;
      t = uniqueTableName(ctx.task.name);
      await store.ensure(t);
    });

    it("ensure is idempotent and a missing entity reads as null", async () => {
      await store.ensure(t);
      expect(await store.get(t, "p", "r")).toBeNull();
      expect(await rows({})).toEqual([]);
    });

    it("upsert and get round-trip every value type; null fields are not stored", async () => {
      const entity = {
        partitionKey: "wf/1",
        rowKey: "train/rf",
        s: 'it\'s "quoted" ✓',
        empty: "",
        n: 42,
        neg: -7,
        zero: 0,
        f: 0.28,
        big: 1_732_700_000_123,
        yes: true,
        no: false,
        gone: null,
      };
      await store.upsert(t, entity);
      const got = await store.get(t, "wf/1", "train/rf");
      const { gone: _, ...stored } = entity;
      expect(got && plain([got])[0]).toEqual(stored);
      expect(got?.timestamp).toEqual(expect.any(Number));
      expect(Math.abs((got?.timestamp as number) - Date.now())).toBeLessThan(24 * 3600_000 * 3650);
    });

    it("upsert replaces the whole entity and moves its timestamp", async () => {
      await store.upsert(t, { partitionKey: "p", rowKey: "r", a: 1, b: "x" });
      const first = await store.get(t, "p", "r");
      await fixture.pass(20);
      await store.upsert(t, { partitionKey: "p", rowKey: "r", a: 2, timestamp: 5 });
      const second = await store.get(t, "p", "r");
      expect(second && plain([second])[0]).toEqual({ partitionKey: "p", rowKey: "r", a: 2 });
      expect(second?.timestamp as number).toBeGreaterThan(first?.timestamp as number);
    });

    it("delete is idempotent", async () => {
      await store.upsert(t, { partitionKey: "p", rowKey: "r" });
      await store.delete(t, "p", "r");
      await store.delete(t, "p", "r");
      await store.delete(t, "other", "r");
      expect(await store.get(t, "p", "r")).toBeNull();
    });

    it("queries one partition in RowKey order, or all in key order", async () => {
      for (const [pk, rk] of [
        ["b", "2"],
        ["a", "z"],
        ["b", "1"],
        ["a", "y"],
        ["c", "0"],
      ]) {
        await store.upsert(t, { partitionKey: pk as string, rowKey: rk as string });
      }
      expect(await rowKeys({ partitionKey: "b" })).toEqual(["1", "2"]);
      expect((await rows({})).map((e) => `${e.partitionKey}/${e.rowKey}`)).toEqual([
        "a/y",
        "a/z",
        "b/1",
        "b/2",
        "c/0",
      ]);
    });

    it("rowKeyPrefix is a range over task-like names with slashes and dots", async () => {
      const names = ["trai", "train", "train.x", "train/rf", "train/rf/2", "train/xgb", "train0"];
      for (const rk of [...names, "trainz", "prep/a"])
        await store.upsert(t, { partitionKey: "p", rowKey: rk });
      expect(await rowKeys({ partitionKey: "p", rowKeyPrefix: "train/" })).toEqual([
        "train/rf",
        "train/rf/2",
        "train/xgb",
      ]);
      expect(await rowKeys({ partitionKey: "p", rowKeyPrefix: "train/rf" })).toEqual([
        "train/rf",
        "train/rf/2",
      ]);
      // The character after "." is "/", not allowed in Azure keys: the upper bound must cope.
      expect(await rowKeys({ partitionKey: "p", rowKeyPrefix: "train." })).toEqual(["train.x"]);
      expect(await rowKeys({ partitionKey: "p", rowKeyPrefix: "train" })).toEqual([
        "train",
        "train.x",
        "train/rf",
        "train/rf/2",
        "train/xgb",
        "train0",
        "trainz",
      ]);
      expect(await rowKeys({ partitionKey: "p", rowKeyPrefix: "zzz" })).toEqual([]);
    });

    it("keys may hold characters Azure forbids in keys", async () => {
      const odd = ["a#b", "a?b", "a\\b", "a\tb", "a~b", "a b", "a\u0085b", "a'b", "a%b"];
      for (const rk of odd) await store.upsert(t, { partitionKey: "p#1/x", rowKey: rk, v: rk });
      expect(await rowKeys({ partitionKey: "p#1/x" })).toEqual([...odd].sort());
      for (const rk of odd) expect((await store.get(t, "p#1/x", rk))?.v).toBe(rk);
      expect(await rowKeys({ partitionKey: "p#1/x", rowKeyPrefix: "a?" })).toEqual(["a?b"]);
    });

    it("where is an equality on every field, with quotes escaped", async () => {
      await store.upsert(t, {
        partitionKey: "p",
        rowKey: "1",
        owner: "o'brien",
        n: 1,
        ok: true,
        at: 1.7e12,
      });
      await store.upsert(t, { partitionKey: "p", rowKey: "2", owner: "o'brien", n: 2, ok: false });
      await store.upsert(t, { partitionKey: "q", rowKey: "3", owner: "x' or '1' eq '1", n: 1 });
      expect(await rowKeys({ where: { owner: "o'brien" } })).toEqual(["1", "2"]);
      expect(await rowKeys({ where: { owner: "o'brien", n: 2 } })).toEqual(["2"]);
      expect(await rowKeys({ where: { ok: true } })).toEqual(["1"]);
      expect(await rowKeys({ where: { at: 1.7e12 } })).toEqual(["1"]);
      expect(await rowKeys({ where: { at: null } })).toEqual(["2", "3"]);
      expect(await rowKeys({ partitionKey: "q", where: { n: 1 } })).toEqual(["3"]);
      expect(await rowKeys({ where: { owner: "x" } })).toEqual([]);
      expect(await rowKeys({ where: { rowKey: "2" } })).toEqual(["2"]);
    });

    it("select returns the keys, the timestamp and the chosen fields only", async () => {
      await store.upsert(t, { partitionKey: "p", rowKey: "1", a: "A", b: "B", c: 3 });
      const [got] = await rows({ partitionKey: "p", select: ["a", "c", "missing"] });
      expect(got && plain([got])[0]).toEqual({ partitionKey: "p", rowKey: "1", a: "A", c: 3 });
      expect(got?.timestamp).toEqual(expect.any(Number));
    });

    it("batches of any size across partitions, last write of a row winning", async () => {
      const batch: Entity[] = [];
      for (let i = 0; i < 250; i++)
        batch.push({ partitionKey: "big", rowKey: `r${String(i).padStart(3, "0")}`, i });
      for (let i = 0; i < 30; i++) batch.push({ partitionKey: "small/x", rowKey: `s${i}`, i });
      // Repeats in one transaction's reach and across chunks: the last write wins.
      batch.push({ partitionKey: "small/x", rowKey: "s3", i: -3 });
      batch.push({ partitionKey: "big", rowKey: "r000", i: -1 });
      await store.upsertBatch(t, batch);
      await store.upsertBatch(t, []);
      expect(await rows({ partitionKey: "big" })).toHaveLength(250);
      expect(await rows({ partitionKey: "small/x" })).toHaveLength(30);
      expect((await store.get(t, "big", "r000"))?.i).toBe(-1);
      expect((await store.get(t, "big", "r249"))?.i).toBe(249);
      expect((await store.get(t, "small/x", "s3"))?.i).toBe(-3);
    });

    it("deleteBatch skips missing rows", async () => {
      const keys = Array.from({ length: 150 }, (_, i) => `k${i}`);
      await store.upsertBatch(
        t,
        keys.map((rowKey) => ({ partitionKey: "p", rowKey })),
      );
      await store.upsert(t, { partitionKey: "other", rowKey: "k1" });
      const withMissing = [...keys, ...Array.from({ length: 60 }, (_, i) => `missing${i}`)];
      await store.deleteBatch(t, "p", withMissing);
      expect(await rows({ partitionKey: "p" })).toEqual([]);
      expect(await store.get(t, "other", "k1")).not.toBeNull();
      await store.deleteBatch(t, "p", ["missing", "missing2"]);
      await store.deleteBatch(t, "p", []);
    });

    it("operations on a missing table fail", async () => {
      const missing = `${t.slice(0, 50)}none`;
      await expectFailure(store.upsert(missing, { partitionKey: "p", rowKey: "r" }));
      await expectFailure(collect(store.query(missing, {})));
    });
  });
}
