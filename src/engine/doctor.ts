import { StateCode, taskName, taskSpec } from "../core/index.js";
import { isPoisonQueue } from "../storage/layout.js";
import type { Engine } from "./context.js";
import { listWorkers } from "./workers.js";

export type Verdict = "ok" | "warn" | "fail";

export interface Check {
  readonly name: string;
  readonly verdict: Verdict;
  readonly detail: string;
}

export interface DoctorReport {
  readonly verdict: Verdict;
  readonly checks: Check[];
  readonly queues: Array<{ readonly name: string; readonly depth: number }>;
  readonly stuck: Array<{ readonly id: string; readonly why: string }>;
  readonly staleTasks: Array<{
    readonly id: string;
    readonly task: string;
    readonly runningForS: number;
  }>;
}

const STALE_RUNNING_MS = 60 * 60_000;

/**
 * Health and diagnosis: storage reachable (blob, queue, table), queue depths including poison
 * queues, workflows whose wake-up time passed long ago (the sweeps are not keeping up or not
 * running), tasks running for over an hour without a timeout, and leases held on workflows that
 * have not moved for longer than a lease lasts.
 */
export async function doctor(engine: Engine): Promise<DoctorReport> {
  const now = engine.clock();
  const checks: Check[] = [];
  const probe = async (name: string, fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    try {
      await fn();
      checks.push({
        name,
        verdict: "ok",
        detail: `reachable in ${Math.round(performance.now() - t0)} ms`,
      });
      return true;
    } catch (e) {
      checks.push({ name, verdict: "fail", detail: String(e) });
      return false;
    }
  };
  const blobOk = await probe("blob", () => engine.storage.blobs.read("admission.lock"));
  const queueOk = await probe("queue", () =>
    engine.storage.queues.depth(engine.names.completionQueue),
  );
  const tableOk = await probe("table", () => engine.index.get("doctor-probe"));
  const queues: DoctorReport["queues"] = [];
  if (queueOk) {
    for (const name of await engine.storage.queues.list(`${engine.names.prefix}-`))
      queues.push({ name, depth: await engine.storage.queues.depth(name) });
    const poisoned = queues.filter((q) => isPoisonQueue(q.name) && q.depth > 0);
    checks.push(
      poisoned.length === 0
        ? { name: "poison queues", verdict: "ok", detail: "empty" }
        : {
            name: "poison queues",
            verdict: "warn",
            detail: poisoned.map((q) => `${q.name}: ${q.depth}`).join(", "),
          },
    );
    if (tableOk) checks.push(await workersCheck(engine, queues));
  }
  const stuck: DoctorReport["stuck"] = [];
  const staleTasks: DoctorReport["staleTasks"] = [];
  if (tableOk && blobOk) {
    const lagMs = 5 * 60_000;
    for await (const row of engine.index.all("running")) {
      if (row.wakeAt !== null && now - row.wakeAt > lagMs)
        stuck.push({
          id: row.id,
          why: `a sweep was due ${Math.round((now - row.wakeAt) / 1000)} s ago`,
        });
      else if (
        now - row.updatedAt > 2 * engine.config.leaseS * 1000 &&
        (await engine.state.isLeased(row.id))
      ) {
        stuck.push({
          id: row.id,
          why: `leased but not updated for ${Math.round((now - row.updatedAt) / 1000)} s`,
        });
      }
      if (stuck.length + staleTasks.length > 50) break;
      const loaded =
        now - row.updatedAt > STALE_RUNNING_MS ? await engine.state.load(row.id) : null;
      if (!loaded) continue;
      const { run } = loaded;
      for (let i = 0; i < run.size; i++) {
        if (
          run.status[i] === StateCode.running &&
          !run.expansions.has(i) &&
          taskSpec(run, i).timeoutS === null &&
          now - run.startedAt[i]! > STALE_RUNNING_MS
        ) {
          staleTasks.push({
            id: row.id,
            task: taskName(run, i),
            runningForS: Math.round((now - run.startedAt[i]!) / 1000),
          });
        }
      }
    }
    checks.push({
      name: "stuck workflows",
      verdict: stuck.length ? "warn" : "ok",
      detail: stuck.length ? `${stuck.length} workflow(s)` : "none",
    });
    checks.push({
      name: "stale running tasks",
      verdict: staleTasks.length ? "warn" : "ok",
      detail: staleTasks.length
        ? `${staleTasks.length} task(s) running > 1 h without a timeout`
        : "none",
    });
  }
  const verdict: Verdict = checks.some((c) => c.verdict === "fail")
    ? "fail"
    : checks.some((c) => c.verdict === "warn")
      ? "warn"
      : "ok";
  return { verdict, checks, queues, stuck, staleTasks };
}

/**
 * Task queues holding messages that no live worker serves: a task there waits forever. A
 * depth counts running tasks' hidden messages too, and those need a live worker all the same.
 */
async function workersCheck(engine: Engine, queues: DoctorReport["queues"]): Promise<Check> {
  const name = "workers";
  let workers: Awaited<ReturnType<typeof listWorkers>>;
  try {
    workers = await listWorkers(engine);
  } catch (e) {
    return { name, verdict: "warn", detail: `the workers table could not be read: ${String(e)}` };
  }
  const live = workers.filter((w) => w.live);
  const taskQueue = `${engine.names.prefix}-tasks-`;
  const unserved = queues
    .filter((q) => q.name.startsWith(taskQueue) && !isPoisonQueue(q.name) && q.depth > 0)
    .map((q) => ({ queue: q.name.slice(taskQueue.length), depth: q.depth }))
    .filter(({ queue }) => !live.some((w) => w.queues.includes(queue)));
  if (unserved.length === 0)
    return { name, verdict: "ok", detail: `${live.length} live, serving every queue with tasks` };
  return {
    name,
    verdict: "warn",
    detail: unserved
      .map(
        ({ queue, depth }) =>
          `queue ${queue}: ${depth} task(s) waiting and no live worker (dagq worker --queue ${queue})`,
      )
      .join("; "),
  };
}
