import {
  type Json,
  layerCounts,
  queryTasks,
  summarize,
  type TaskQuery,
  type TaskState,
  type TaskView,
  WORKFLOW_STATES,
  type WorkflowState,
} from "../core/index.js";
import { isOutputRef } from "../protocol/messages.js";
import type { Engine } from "./context.js";
import type { IndexRow } from "./workflowIndex.js";

/** What the API shows of a workflow: its index row without the sweep bookkeeping. */
export interface WorkflowStatus extends Omit<IndexRow, "wakeAt" | "timestamp"> {
  /** Counts by state for each layer (distance from a root), with `detail`. */
  readonly layers?: Array<Record<TaskState, number>>;
}

/**
 * A workflow's status. By default from its index row, which costs one point read and lags the
 * state by at most the index refresh interval (2 s); with `detail`, from the state itself,
 * with per-layer counts. Null when the workflow does not exist.
 */
export async function getStatus(
  engine: Engine,
  id: string,
  detail = false,
): Promise<WorkflowStatus | null> {
  const row = detail ? null : await engine.index.get(id);
  if (row) return fromRow(row);
  const loaded = await engine.state.loadForRead(id);
  if (!loaded) return null;
  const s = summarize(loaded.run);
  return {
    id,
    name: s.name,
    status: s.status,
    reason: s.reason,
    total: s.total,
    counts: s.counts,
    conditionErrors: s.conditionErrors,
    createdAt: s.createdAt,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    updatedAt: engine.clock(),
    ...(detail ? { layers: layerCounts(loaded.run) } : {}),
  };
}

/**
 * Tasks of one workflow by name prefix and status, in name order, paged with `after`. Outputs
 * spilled to blobs are shown as their values (a user never sees a storage reference), unless
 * `refs` asks for the references (cheap listings that do not show outputs).
 */
export async function getTasks(
  engine: Engine,
  id: string,
  q: TaskQuery & { readonly refs?: boolean },
): Promise<{ tasks: TaskView[]; next: string | null } | null> {
  const loaded = await engine.state.loadForRead(id);
  if (!loaded) return null;
  const page = queryTasks(loaded.run, q);
  if (q.refs) return page;
  const tasks = page.tasks.slice();
  const spilled = tasks.flatMap((t, k) => (isOutputRef(t.output) ? [k] : []));
  for (let k = 0; k < spilled.length; k += 16) {
    await Promise.all(
      spilled.slice(k, k + 16).map(async (j) => {
        tasks[j] = { ...tasks[j]!, output: await resolveOutput(engine, tasks[j]!.output) };
      }),
    );
  }
  return { tasks, next: page.next };
}

/**
 * A stored output as a user reads it: a reference to a spilled output is replaced by the blob's
 * JSON. A blob that is gone (or unreadable) leaves the reference: the truth, not a guess.
 */
export async function resolveOutput(engine: Engine, stored: Json): Promise<Json> {
  if (!isOutputRef(stored)) return stored;
  const blob = await engine.storage.blobs.read(stored.path);
  if (!blob) return stored;
  try {
    return JSON.parse(Buffer.from(blob.data).toString("utf8")) as Json;
  } catch {
    return stored;
  }
}

export interface ListQuery {
  readonly status?: WorkflowState;
  readonly limit?: number;
  /** Where the previous page ended (its `next`, decoded with decodeCursor). */
  readonly after?: ListPosition;
  /** Only workflows whose name contains this, ignoring case. */
  readonly name?: string;
}

/** Workflows, newest first, from the index (16 partition queries). */
export async function listWorkflows(
  engine: Engine,
  q: ListQuery,
): Promise<{ workflows: WorkflowStatus[]; next: string | null }> {
  const rows: IndexRow[] = [];
  const part = q.name?.toLowerCase();
  for await (const row of engine.index.all(q.status)) {
    if (part === undefined || row.name.toLowerCase().includes(part)) rows.push(row);
  }
  const newestFirst = (a: ListPosition, b: ListPosition) =>
    b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
  rows.sort(newestFirst);
  // The cursor is the last row's position, not its index: a page never repeats or skips rows
  // when workflows are purged or submitted between pages.
  const after = q.after;
  const start = after === undefined ? 0 : rows.findIndex((r) => newestFirst(r, after) > 0);
  const from = start < 0 ? rows.length : start;
  const limit = Math.min(q.limit ?? 50, 1000);
  const page = rows.slice(from, from + limit);
  const more = from + limit < rows.length;
  return { workflows: page.map(fromRow), next: more ? encodeCursor(page.at(-1)!) : null };
}

/** Where a page ends: the next page starts after it (`next` carries it, encoded). */
export interface ListPosition {
  readonly createdAt: number;
  readonly id: string;
}

function encodeCursor(p: ListPosition): string {
  return Buffer.from(`${p.createdAt}:${p.id}`).toString("base64url");
}

/** The position a `next` cursor names, or null for a string this API never gave out. */
export function decodeCursor(cursor: string): ListPosition | null {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const m = /^(\d{1,16}):([a-z0-9][a-z0-9-]{2,62})$/.exec(text);
  return m ? { createdAt: Number(m[1]), id: m[2]! } : null;
}

export interface Overview {
  readonly workflows: Record<WorkflowState, number>;
  /** Task counts summed over the running workflows. */
  readonly runningTasks: Record<string, number>;
}

export async function getOverview(engine: Engine): Promise<Overview> {
  const workflows = Object.fromEntries(WORKFLOW_STATES.map((s) => [s, 0])) as Record<
    WorkflowState,
    number
  >;
  const runningTasks: Record<string, number> = {};
  for await (const row of engine.index.all()) {
    workflows[row.status] = (workflows[row.status] ?? 0) + 1;
    if (row.status !== "running") continue;
    for (const [k, v] of Object.entries(row.counts)) runningTasks[k] = (runningTasks[k] ?? 0) + v;
  }
  return { workflows, runningTasks };
}

function fromRow({ wakeAt: _, timestamp: __, ...status }: IndexRow): WorkflowStatus {
  return status;
}
