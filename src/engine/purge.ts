import { randomBytes } from "node:crypto";
import { z } from "zod";
import { isTerminalWorkflow } from "../core/index.js";
import { readJsonBlob, writeJsonBlob } from "../storage/jsonBlob.js";
import { isPoisonQueue } from "../storage/layout.js";
import type { Engine } from "./context.js";

/** Deletes one workflow: state blobs, index row, inbox. False when there was nothing to delete. */
export async function purgeWorkflow(engine: Engine, id: string): Promise<boolean> {
  const existed =
    (await engine.state.definition(id)) !== null || (await engine.index.get(id)) !== null;
  await engine.state.purge(id);
  await engine.index.delete(id);
  await engine.inbox.remove(
    id,
    (await engine.inbox.list(id)).map((e) => e.key),
  );
  engine.telemetry.count("workflows.purged", Number(existed));
  return existed;
}

/** A purge of many workflows, carried on the control queue one step at a time. */
export const PurgeJobSchema = z.strictObject({
  kind: z.literal("purge"),
  job: z.string(),
  scope: z.enum(["terminal", "all"]),
  drain_queues: z.boolean().default(false),
  purged: z.int().min(0).default(0),
});
export type PurgeJob = z.infer<typeof PurgeJobSchema>;

/** A purge job's progress, in a blob the status endpoint reads. */
export const PurgeProgressSchema = z.strictObject({
  job: z.string(),
  scope: PurgeJobSchema.shape.scope,
  purged: z.int().min(0),
  done: z.boolean(),
});
export type PurgeProgress = z.infer<typeof PurgeProgressSchema>;

/**
 * Starts a purge of every terminal workflow, or of all of them. It runs through control-queue
 * messages, each purging for a bounded time and queueing its continuation, so an HTTP request
 * never waits for it and a crash resumes where it stopped (purging is idempotent).
 */
export async function startPurge(
  engine: Engine,
  scope: PurgeJob["scope"],
  drainQueues: boolean,
): Promise<PurgeProgress> {
  const job: PurgeJob = {
    kind: "purge",
    job: randomBytes(6).toString("hex"),
    scope,
    drain_queues: drainQueues,
    purged: 0,
  };
  await writeProgress(engine, { job: job.job, scope, purged: 0, done: false });
  await engine.storage.queues.send(engine.names.controlQueue, JSON.stringify(job));
  return { job: job.job, scope, purged: 0, done: false };
}

/** One step of a purge job: purges for up to `budgetMs`, then queues the rest. */
export async function runPurgeStep(
  engine: Engine,
  job: PurgeJob,
  budgetMs = 30_000,
): Promise<PurgeProgress> {
  const started = engine.clock();
  // Collect first: deleting rows while paging through the same query could skip some.
  const ids: string[] = [];
  for await (const row of engine.index.all()) {
    if (job.scope === "all" || isTerminalWorkflow(row.status)) ids.push(row.id);
  }
  let purged = job.purged;
  let more = false;
  for (const id of ids) {
    if (engine.clock() - started > budgetMs) {
      more = true;
      break;
    }
    await purgeWorkflow(engine, id);
    purged++;
  }
  if (more) {
    await engine.storage.queues.send(engine.names.controlQueue, JSON.stringify({ ...job, purged }));
  } else if (job.drain_queues) {
    await drainQueues(engine);
  }
  const progress = { job: job.job, scope: job.scope, purged, done: !more };
  await writeProgress(engine, progress);
  return progress;
}

export async function getPurgeProgress(engine: Engine, job: string): Promise<PurgeProgress | null> {
  return readJsonBlob(engine.storage.blobs, progressPath(job), PurgeProgressSchema);
}

/** Empties the task queues and the completion queue of this deployment (not the poison queues). */
async function drainQueues(engine: Engine): Promise<void> {
  const { queues } = engine.storage;
  const taskQueues = await queues.list(`${engine.names.prefix}-tasks-`);
  const targets = [...taskQueues.filter((q) => !isPoisonQueue(q)), engine.names.completionQueue];
  await Promise.all(targets.map((q) => queues.clear(q)));
}

function progressPath(job: string): string {
  return `jobs/purge-${job}.json`;
}

async function writeProgress(engine: Engine, p: PurgeProgress): Promise<void> {
  await writeJsonBlob(engine.storage.blobs, progressPath(p.job), p);
}
