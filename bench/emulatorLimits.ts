/**
 * The emulator's own limits, measured in the same run right before the figure they stand beside:
 * what Azurite does per second for each kind of request when nothing else asks anything of it,
 * and the shortest hop a queue-based system can make through it. A dagq figure next to these
 * says how much of the emulator's capacity dagq's requests leave unused (or use up).
 */
import { spawn } from "node:child_process";
import type { BlobStore, QueueStore, Storage, TableStore } from "../src/storage/ports.js";
import type { Tally } from "./countingProxy.js";

export const REQUEST_CLASSES = [
  "queue send",
  "queue receive",
  "queue delete",
  "blob write",
  "blob read",
  "table write",
  "table read",
] as const;
export type RequestClass = (typeof REQUEST_CLASSES)[number];

/** Requests per second Azurite serves of each class, 32 at a time from one process. */
export type EmulatorRates = Readonly<Record<RequestClass, number>>;

const PARALLEL = 32;

async function parallel(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < n) await fn(next++);
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

/**
 * Each class on its own, `n` requests, in a queue, a container and a table of its own, after a
 * pass at a quarter of the size: the first requests of a fresh emulator run cold (several times
 * slower until its JIT warms up).
 */
export async function measureRates(storage: Storage, n: number): Promise<EmulatorRates> {
  await ratesOnce(storage, Math.ceil(n / 4), "warm");
  return ratesOnce(storage, n, "cal");
}

async function ratesOnce(storage: Storage, n: number, label: string): Promise<EmulatorRates> {
  const tag = `${label}${Date.now().toString(36)}`;
  const queue = await queueRates(storage.queues, `${tag}-q`, n);
  const blob = await blobRates(storage.blobs, `calibration/${tag}`, n);
  const table = await tableRates(storage.tables, `${tag}t`, n);
  return { ...queue, ...blob, ...table };
}

async function queueRates(queues: QueueStore, q: string, n: number) {
  await queues.ensure(q);
  const send = await parallel(n, (i) => queues.send(q, JSON.stringify({ v: 1, i })));
  const got: Awaited<ReturnType<QueueStore["receive"]>> = [];
  const receive = await parallel(n, async () => got.push(...(await queues.receive(q, 1, 300))));
  const del = await parallel(got.length, (i) => queues.delete(q, got[i]!));
  await queues.clear(q);
  return { "queue send": send, "queue receive": receive, "queue delete": del };
}

async function blobRates(blobs: BlobStore, dir: string, n: number) {
  await blobs.ensure();
  const body = Buffer.from(JSON.stringify({ calibration: "x".repeat(200) }));
  const write = await parallel(n, (i) => blobs.write(`${dir}/${i}`, body));
  const read = await parallel(n, (i) => blobs.read(`${dir}/${i}`));
  await parallel(n, (i) => blobs.delete(`${dir}/${i}`));
  return { "blob write": write, "blob read": read };
}

async function tableRates(tables: TableStore, table: string, n: number) {
  await tables.ensure(table);
  const row = (i: number) => ({ partitionKey: `p${i % 16}`, rowKey: `r${i}`, v: "x".repeat(100) });
  const write = await parallel(n, (i) => tables.upsert(table, row(i)));
  const read = await parallel(n, (i) => tables.get(table, `p${i % 16}`, `r${i}`));
  return { "table write": write, "table read": read };
}

/** Which measured class a counted request costs like. */
export function requestClass(t: Tally): RequestClass {
  const { service, name } = t.key;
  const op = name.replace(/ \(empty\)| → .*$/g, "");
  switch (service) {
    case "queue":
      if (op === "send") return "queue send";
      if (op === "delete" || op === "update" || op === "clear") return "queue delete";
      return "queue receive";
    case "blob":
      return /^(read|properties|list|get |container properties)/.test(op)
        ? "blob read"
        : "blob write";
    case "table":
      return op === "get" || op === "query" || op === "list tables" ? "table read" : "table write";
  }
}

/**
 * The seconds Azurite would need to serve these requests at its measured rates, one class after
 * another: a bound on any system that makes the same requests (it cannot do its work faster).
 */
export function emulatorSeconds(tallies: readonly Tally[], rates: EmulatorRates): number {
  return tallies.reduce((s, t) => s + t.requests / rates[requestClass(t)], 0);
}

/**
 * The shortest hop through two queues, as the emulator allows: one side sends a "task", the
 * other receives it (polling without pause), deletes it and sends a "completion", which the
 * first receives and deletes. Median of `n`, in ms.
 */
export async function measureQueueHop(queues: QueueStore, n: number): Promise<number> {
  const tag = `hop${Date.now().toString(36)}`;
  const [tasks, done] = [`${tag}-t`, `${tag}-c`];
  await Promise.all([queues.ensure(tasks), queues.ensure(done)]);
  const take = async (q: string) => {
    for (;;) {
      const [m] = await queues.receive(q, 1, 30);
      if (m) return queues.delete(q, m);
    }
  };
  const hops: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await queues.send(tasks, "task");
    await take(tasks);
    await queues.send(done, "done");
    await take(done);
    hops.push(performance.now() - t0);
  }
  return median(hops);
}

/** How long a bare `node -e ""` takes from spawn to exit here: the floor of any process start. */
export async function nodeStartMs(n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
      child.once("exit", () => resolve());
      child.once("error", reject);
    });
    times.push(performance.now() - t0);
  }
  return median(times);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
