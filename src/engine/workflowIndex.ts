import { type Summary, TASK_STATES, type WorkflowState } from "../core/index.js";
import { allShards, shardOf } from "../storage/layout.js";
import type { Entity, TableStore } from "../storage/ports.js";

/**
 * The workflow index: one Table row per workflow, PartitionKey = one of 16 shards. It serves
 * listings, summaries, admission and sweeps; it is never the source of truth (the state blobs
 * are), so a row that lags is repaired by the orphan sweep, never trusted for decisions.
 */
export interface IndexRow {
  readonly id: string;
  readonly name: string;
  readonly status: WorkflowState;
  readonly total: number;
  readonly counts: Record<string, number>;
  /** Of the skipped tasks, those whose condition could not be evaluated. */
  readonly conditionErrors: number;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly updatedAt: number;
  /** When a sweep should look at it even if nothing changed (a timeout or repair is due). */
  readonly wakeAt: number | null;
  readonly reason: string | null;
  /** Epoch ms of the row's last write as the table saw it (for "changed since last sweep"). */
  readonly timestamp?: number;
}

export class WorkflowIndex {
  constructor(
    private readonly tables: TableStore,
    readonly table: string,
  ) {}

  async put(summary: Summary, now: number, wakeAt: number | null): Promise<void> {
    const entity: Record<string, string | number | boolean | null> = {
      partitionKey: shardOf(summary.id),
      rowKey: summary.id,
      name: summary.name,
      status: summary.status,
      total: summary.total,
      createdAt: summary.createdAt,
      startedAt: summary.startedAt,
      finishedAt: summary.finishedAt,
      updatedAt: now,
      wakeAt,
      reason: summary.reason,
    };
    for (const s of TASK_STATES) entity[`n_${s}`] = summary.counts[s];
    entity.n_condition_errors = summary.conditionErrors;
    await this.tables.upsert(this.table, entity as Entity);
  }

  async get(id: string): Promise<IndexRow | null> {
    const e = await this.tables.get(this.table, shardOf(id), id);
    return e ? toRow(e) : null;
  }

  async delete(id: string): Promise<void> {
    await this.tables.delete(this.table, shardOf(id), id);
  }

  /** Rows of one shard, optionally with one status. */
  async *shard(shard: string, status?: WorkflowState): AsyncIterable<IndexRow> {
    for await (const e of this.tables.query(this.table, {
      partitionKey: shard,
      ...(status ? { where: { status } } : {}),
    }))
      yield toRow(e);
  }

  /**
   * A purged workflow's tombstone, in a partition of its own (listings never see it): the
   * orphan sweep deletes blobs written under its prefix after the purge (a task that was
   * running spills its output late) until the tombstone expires.
   */
  async tombstone(id: string, now: number): Promise<void> {
    await this.tables.upsert(this.table, {
      partitionKey: TOMBSTONES,
      rowKey: id,
      purgedAt: now,
    } as Entity);
  }

  async *tombstones(): AsyncIterable<{ readonly id: string; readonly purgedAt: number }> {
    for await (const e of this.tables.query(this.table, { partitionKey: TOMBSTONES }))
      yield { id: e.rowKey, purgedAt: Number(e.purgedAt ?? 0) };
  }

  /** When the workflow with this id was purged, if that was less than a tombstone's life ago. */
  async purgedAt(id: string): Promise<number | null> {
    const e = await this.tables.get(this.table, TOMBSTONES, id);
    return e ? Number(e.purgedAt ?? 0) : null;
  }

  async removeTombstone(id: string): Promise<void> {
    await this.tables.delete(this.table, TOMBSTONES, id);
  }

  /** Rows of every shard, optionally with one status (16 partition queries, not a table scan). */
  async *all(status?: WorkflowState): AsyncIterable<IndexRow> {
    for (const shard of allShards()) yield* this.shard(shard, status);
  }
}

/** Not a shard (those are s00-s15, layout.ts), so no listing ever reads this partition. */
const TOMBSTONES = "purged";

function toRow(e: Entity): IndexRow {
  const counts: Record<string, number> = {};
  for (const s of TASK_STATES) counts[s] = Number(e[`n_${s}`] ?? 0);
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: e.rowKey,
    name: String(e.name ?? ""),
    status: String(e.status) as WorkflowState,
    total: Number(e.total ?? 0),
    counts,
    conditionErrors: Number(e.n_condition_errors ?? 0),
    createdAt: Number(e.createdAt ?? 0),
    startedAt: num(e.startedAt),
    finishedAt: num(e.finishedAt),
    updatedAt: Number(e.updatedAt ?? 0),
    wakeAt: num(e.wakeAt),
    reason: e.reason === null || e.reason === undefined ? null : String(e.reason),
    ...(typeof e.timestamp === "number" ? { timestamp: e.timestamp } : {}),
  };
}
