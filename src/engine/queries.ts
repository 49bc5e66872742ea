import {
  layerCounts,
  queryTasks,
  summarize,
  type TaskQuery,
  type TaskState,
  type TaskView,
  WORKFLOW_STATES,
  type WorkflowState,
} from "../core/index.js";
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
    createdAt: s.createdAt,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    updatedAt: engine.clock(),
    ...(detail ? { layers: layerCounts(loaded.run) } : {}),
  };
}

/** Tasks of one workflow by name prefix and status, in name order, paged with `after`. */
export async function getTasks(
  engine: Engine,
  id: string,
  q: TaskQuery,
): Promise<{ tasks: TaskView[]; next: string | null } | null> {
  const loaded = await engine.state.loadForRead(id);
  return loaded ? queryTasks(loaded.run, q) : null;
}

export interface ListQuery {
  readonly status?: WorkflowState;
  readonly limit?: number;
  /** Opaque, from the previous page's `next`. */
  readonly cursor?: string;
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
  rows.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  const after = q.cursor ? Buffer.from(q.cursor, "base64url").toString("utf8") : null;
  const start = after === null ? 0 : rows.findIndex((r) => r.id === after) + 1;
  const limit = Math.min(q.limit ?? 50, 1000);
  const page = rows.slice(start, start + limit);
  const more = start + limit < rows.length;
  return {
    workflows: page.map(fromRow),
    next: more ? Buffer.from(page.at(-1)!.id).toString("base64url") : null,
  };
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
