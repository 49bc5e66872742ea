import { randomBytes } from "node:crypto";
import { z } from "zod";
import {
  DagqError,
  ErrorCode,
  isTerminalWorkflow,
  WORKFLOW_STATES,
  type WorkflowState,
} from "../core/index.js";
import { readJsonBlob, writeJsonBlob } from "../storage/jsonBlob.js";
import { isPoisonQueue } from "../storage/layout.js";
import type { Engine } from "./context.js";

/**
 * Every purge is bounded in time, because the Functions host gives an invocation at most
 * `functionTimeout` (10 min here; past it the worker restarts, dropping every invocation in
 * flight on the instance) and cuts an HTTP response at 230 s. A workflow with 100,000 spilled
 * outputs is 100,000 blobs to delete: what does not fit in a step's budget goes on through the
 * control queue, one bounded step per message.
 */

/** How long one control-queue step purges before it queues its continuation. */
export const STEP_BUDGET_MS = 30_000;
/** How long DELETE workflows/{id} purges before it hands the rest to the control queue. */
export const REQUEST_BUDGET_MS = 10_000;
/** Index rows a bulk step reads at a time (a page, not the whole index). */
const ROWS_PER_READ = 500;

export interface WorkflowPurge {
  /** False when there was nothing to delete. */
  readonly existed: boolean;
  /** False when blobs are left for a later step (the budget ran out). */
  readonly done: boolean;
}

/**
 * Deletes one workflow: its head blob first (from then on it does not exist for any reader),
 * its index row and inbox, then its other blobs until `budgetMs` runs out. Idempotent: calling
 * it again carries on where it stopped.
 */
export async function purgeWorkflow(
  engine: Engine,
  id: string,
  budgetMs: number = Number.POSITIVE_INFINITY,
): Promise<WorkflowPurge> {
  const deadline = engine.clock() + budgetMs;
  const existed =
    (await engine.state.definition(id)) !== null || (await engine.index.get(id)) !== null;
  const done = await engine.state.purge(id, () => engine.clock() >= deadline);
  await engine.index.delete(id);
  if (existed) await engine.index.tombstone(id, engine.clock());
  await engine.inbox.remove(
    id,
    (await engine.inbox.list(id)).map((e) => e.key),
  );
  if (existed) engine.telemetry.count("workflows.purged");
  return { existed, done };
}

/** A purge of many workflows, carried on the control queue one step at a time. */
export const PurgeJobSchema = z.strictObject({
  kind: z.literal("purge"),
  job: z.string(),
  scope: z.enum(["terminal", "all"]),
  drain_queues: z.boolean().default(false),
  purged: z.int().min(0).default(0),
  /** A workflow whose blobs a previous step had no time left to finish (its row is gone). */
  current: z.string().optional(),
});
export type PurgeJob = z.infer<typeof PurgeJobSchema>;

/** The rest of one workflow's blobs, after DELETE workflows/{id} ran out of time. */
export const PurgeWorkflowSchema = z.strictObject({
  kind: z.literal("purgeWorkflow"),
  id: z.string().min(1),
});
export type PurgeWorkflowJob = z.infer<typeof PurgeWorkflowSchema>;

/** A purge job's progress, in a blob the status endpoint reads. */
export const PurgeProgressSchema = z.strictObject({
  job: z.string(),
  scope: PurgeJobSchema.shape.scope,
  purged: z.int().min(0),
  done: z.boolean(),
  /** With drain_queues, once done: whether the queues were emptied (not while work runs). */
  drained: z.boolean().optional(),
});
export type PurgeProgress = z.infer<typeof PurgeProgressSchema>;

/**
 * DELETE workflows/{id}: the workflow is gone for every reader at once; blobs that do not fit
 * in the request's budget are deleted by the control queue. Null when there was no workflow.
 */
export async function deleteWorkflow(
  engine: Engine,
  id: string,
  budgetMs = REQUEST_BUDGET_MS,
): Promise<WorkflowPurge | null> {
  const result = await purgeWorkflow(engine, id, budgetMs);
  if (!result.existed) return null;
  if (!result.done) await sendControl(engine, { kind: "purgeWorkflow", id });
  return result;
}

/** One control-queue step of a DELETE's leftovers; queues the next one until done. */
export async function runPurgeWorkflowStep(
  engine: Engine,
  job: PurgeWorkflowJob,
  budgetMs = STEP_BUDGET_MS,
): Promise<boolean> {
  const { done } = await purgeWorkflow(engine, job.id, budgetMs);
  if (!done) await sendControl(engine, job);
  return done;
}

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
  const unfinished = drainQueues && scope === "terminal" ? await unfinishedCount(engine) : 0;
  if (unfinished > 0)
    throw new DagqError(
      ErrorCode.INVALID_STATE,
      `drain_queues empties every task and completion queue of the deployment, which would lose the messages of ${unfinished} running or pending workflow(s); wait for them, purge them too (scope "all"), or purge without drain_queues`,
    );
  const job: PurgeJob = {
    kind: "purge",
    job: randomBytes(6).toString("hex"),
    scope,
    drain_queues: drainQueues,
    purged: 0,
  };
  await writeProgress(engine, { job: job.job, scope, purged: 0, done: false });
  await sendControl(engine, job);
  return { job: job.job, scope, purged: 0, done: false };
}

/**
 * One step of a purge job: finishes the workflow a previous step left half done, then reads
 * the index a page at a time (terminal states only, for `terminal`) and purges what it finds,
 * until `budgetMs` runs out; then it queues the rest. A purged row leaves the index, so every
 * page read finds the next ones.
 */
export async function runPurgeStep(
  engine: Engine,
  job: PurgeJob,
  budgetMs = STEP_BUDGET_MS,
): Promise<PurgeProgress> {
  const deadline = engine.clock() + budgetMs;
  const left = () => deadline - engine.clock();
  let purged = job.purged;
  let current: string | undefined = job.current;
  let more = false;
  const statuses: readonly (WorkflowState | undefined)[] =
    job.scope === "all" ? [undefined] : WORKFLOW_STATES.filter(isTerminalWorkflow);
  outer: for (;;) {
    if (current !== undefined) {
      if (left() <= 0 || !(await purgeWorkflow(engine, current, left())).done) {
        more = true;
        break;
      }
      current = undefined;
    }
    const ids = await someIds(engine, statuses, ROWS_PER_READ);
    if (ids.length === 0) break;
    for (const id of ids) {
      if (left() <= 0) {
        more = true;
        break outer;
      }
      purged++;
      if (!(await purgeWorkflow(engine, id, left())).done) {
        current = id;
        more = true;
        break outer;
      }
    }
  }
  let drained: boolean | undefined;
  if (more) {
    await sendControl(engine, { ...job, purged, ...(current !== undefined ? { current } : {}) });
  } else if (job.drain_queues) {
    // Draining is all or nothing per queue: never while some workflow still needs its messages
    // (one submitted since the purge began, or a terminal-only purge beside running ones).
    drained = (await unfinishedCount(engine)) === 0;
    if (drained) await drainQueues(engine);
    else
      engine.telemetry.log(
        "warn",
        `purge ${job.job}: queues not drained, some workflows are running or pending`,
      );
  }
  const progress: PurgeProgress = {
    job: job.job,
    scope: job.scope,
    purged,
    done: !more,
    ...(drained === undefined ? {} : { drained }),
  };
  await writeProgress(engine, progress);
  return progress;
}

export async function getPurgeProgress(engine: Engine, job: string): Promise<PurgeProgress | null> {
  return readJsonBlob(engine.storage.blobs, progressPath(job), PurgeProgressSchema);
}

/** Up to `max` workflow ids with one of `statuses` (undefined: any), without reading on. */
async function someIds(
  engine: Engine,
  statuses: readonly (WorkflowState | undefined)[],
  max: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (const status of statuses) {
    for await (const row of engine.index.all(status)) {
      if (status === undefined || row.status === status) ids.push(row.id);
      if (ids.length >= max) return ids;
    }
  }
  return ids;
}

/** Empties the task queues and the completion queue of this deployment (not the poison queues). */
async function drainQueues(engine: Engine): Promise<void> {
  const { queues } = engine.storage;
  const taskQueues = await queues.list(`${engine.names.prefix}-tasks-`);
  const targets = [...taskQueues.filter((q) => !isPoisonQueue(q)), engine.names.completionQueue];
  await Promise.all(targets.map((q) => queues.clear(q)));
}

/** Running and pending workflows in the index (stops counting at 1,000). */
async function unfinishedCount(engine: Engine): Promise<number> {
  let n = 0;
  for (const status of ["running", "pending"] as const) {
    for await (const _ of engine.index.all(status)) if (++n >= 1000) return n;
  }
  return n;
}

function sendControl(engine: Engine, message: PurgeJob | PurgeWorkflowJob): Promise<unknown> {
  return engine.storage.queues.send(engine.names.controlQueue, JSON.stringify(message));
}

function progressPath(job: string): string {
  return `jobs/purge-${job}.json`;
}

async function writeProgress(engine: Engine, p: PurgeProgress): Promise<void> {
  await writeJsonBlob(engine.storage.blobs, progressPath(p.job), p);
}
