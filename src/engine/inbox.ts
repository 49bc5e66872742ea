import type { Completion } from "../protocol/messages.js";
import type { Entity, TableStore } from "../storage/ports.js";

/** What can wait in a workflow's inbox: reports and operator requests, all idempotent. */
export type InboxEvent =
  | Completion
  | { readonly kind: "cancel"; readonly reason?: string }
  | { readonly kind: "admit" }
  | RerunEvent;

/** A rerun as it travels (rerun.ts): tasks by name; the reducer resolves them under the lease. */
export interface RerunEvent {
  readonly kind: "rerun";
  readonly tasks?: readonly string[];
  readonly prefix?: string;
  readonly failed?: boolean;
  readonly downstream?: boolean;
}

export interface InboxEntry {
  readonly key: string;
  readonly event: InboxEvent;
  readonly at: number;
}

/**
 * Per-workflow inbox in a Table (PartitionKey = workflow id): where an instance parks events
 * for a workflow whose lease another instance holds. The holder drains it when it acquires the
 * lease, when its instance's look into the whole table (`parked`) finds entries for it, and once
 * more before it lets go; the orphan sweep drains inboxes nobody holds. One event per
 * entity keeps each under the 64 KiB property limit (inline outputs are at most 16 KiB).
 */
export class Inbox {
  private seq = 0;

  constructor(
    private readonly tables: TableStore,
    private readonly table: string,
  ) {}

  async put(workflowId: string, events: readonly InboxEvent[], now: number): Promise<void> {
    const entities: Entity[] = events.map((event) => ({
      partitionKey: workflowId,
      rowKey: `${now.toString().padStart(15, "0")}-${process.pid}-${(this.seq++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      event: JSON.stringify(event),
      at: now,
    }));
    for (let k = 0; k < entities.length; k += 100)
      await this.tables.upsertBatch(this.table, entities.slice(k, k + 100));
  }

  async list(workflowId: string): Promise<InboxEntry[]> {
    const out: InboxEntry[] = [];
    for await (const e of this.tables.query(this.table, { partitionKey: workflowId })) {
      out.push({
        key: e.rowKey,
        event: JSON.parse(String(e.event)) as InboxEvent,
        at: Number(e.at),
      });
    }
    return out;
  }

  async remove(workflowId: string, keys: readonly string[]): Promise<void> {
    for (let k = 0; k < keys.length; k += 100)
      await this.tables.deleteBatch(this.table, workflowId, keys.slice(k, k + 100));
  }

  /**
   * Workflow ids with parked events older than `olderThan` (the orphan sweep), or of any age (an
   * instance's look for events parked for the workflows it holds): one query of the whole
   * table, since parking is rare (only instances contending for a workflow park) and the table
   * is normally empty.
   */
  async parked(olderThan = Number.POSITIVE_INFINITY): Promise<Set<string>> {
    const ids = new Set<string>();
    for await (const e of this.tables.query(this.table, { select: ["PartitionKey", "at"] })) {
      if (Number(e.at) < olderThan) ids.add(e.partitionKey);
    }
    return ids;
  }
}
