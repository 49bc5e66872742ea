/**
 * TableStore in memory with Azure Table semantics: table names are case-insensitive; rows come
 * back in PartitionKey, then RowKey order; null fields are not stored (Azure has no null
 * property), so `where: { f: null }` matches rows without `f`; `timestamp` is the time of the
 * last write, by the injected clock, and is never stored as a field.
 */
import type { Entity, EntityValue, TableQuery, TableStore } from "../storage/ports.js";
import { isValidTableName } from "./storageNames.js";

interface Row {
  readonly fields: Readonly<Record<string, EntityValue>>;
  readonly timestamp: number;
}
type Table = Map<string, Map<string, Row>>;

const RESERVED = new Set(["partitionKey", "rowKey", "timestamp", "etag"]);

export class MemoryTableStore implements TableStore {
  private readonly tables = new Map<string, Table>();

  constructor(private readonly clock: () => number = Date.now) {}

  async ensure(table: string): Promise<void> {
    if (!isValidTableName(table)) throw new Error(`InvalidTableName: ${table}`);
    if (!this.tables.has(table.toLowerCase())) this.tables.set(table.toLowerCase(), new Map());
  }

  private table(name: string): Table {
    const table = this.tables.get(name.toLowerCase());
    if (!table) throw new Error(`TableNotFound: ${name}`);
    return table;
  }

  async upsert(table: string, entity: Entity): Promise<void> {
    const t = this.table(table);
    const fields: Record<string, EntityValue> = {};
    for (const [name, value] of Object.entries(entity)) {
      if (!RESERVED.has(name) && value !== null && value !== undefined) fields[name] = value;
    }
    const partition = t.get(entity.partitionKey) ?? new Map<string, Row>();
    t.set(entity.partitionKey, partition);
    partition.set(entity.rowKey, { fields, timestamp: this.clock() });
  }

  async get(table: string, partitionKey: string, rowKey: string): Promise<Entity | null> {
    const row = this.table(table).get(partitionKey)?.get(rowKey);
    return row ? toEntity(partitionKey, rowKey, row) : null;
  }

  async *query(table: string, q: TableQuery): AsyncIterable<Entity> {
    const t = this.table(table);
    const partitions = q.partitionKey !== undefined ? [q.partitionKey] : [...t.keys()].sort();
    // Snapshot each partition before yielding, so a caller writing while iterating is safe.
    for (const pk of partitions) {
      const partition = t.get(pk);
      if (!partition) continue;
      const rowKeys = [...partition.keys()]
        .filter((rk) => !q.rowKeyPrefix || rk.startsWith(q.rowKeyPrefix))
        .sort();
      const rows = rowKeys.map((rk) => [rk, partition.get(rk)] as const);
      for (const [rk, row] of rows) {
        if (!row) continue;
        const entity = toEntity(pk, rk, row);
        if (!matches(entity, q.where)) continue;
        yield q.select ? pick(entity, q.select) : entity;
      }
    }
  }

  async delete(table: string, partitionKey: string, rowKey: string): Promise<void> {
    const t = this.table(table);
    const partition = t.get(partitionKey);
    partition?.delete(rowKey);
    if (partition?.size === 0) t.delete(partitionKey);
  }

  async upsertBatch(table: string, entities: readonly Entity[]): Promise<void> {
    this.table(table);
    for (const entity of entities) await this.upsert(table, entity);
  }

  async deleteBatch(
    table: string,
    partitionKey: string,
    rowKeys: readonly string[],
  ): Promise<void> {
    this.table(table);
    for (const rowKey of rowKeys) await this.delete(table, partitionKey, rowKey);
  }
}

function toEntity(partitionKey: string, rowKey: string, row: Row): Entity {
  return { partitionKey, rowKey, ...row.fields, timestamp: row.timestamp };
}

function matches(entity: Entity, where: TableQuery["where"]): boolean {
  for (const [name, value] of Object.entries(where ?? {})) {
    const actual = entity[name];
    if (value === null ? actual !== undefined : actual !== value) return false;
  }
  return true;
}

function pick(entity: Entity, select: readonly string[]): Entity {
  const out: Record<string, EntityValue> = {
    partitionKey: entity.partitionKey,
    rowKey: entity.rowKey,
    timestamp: entity.timestamp ?? null,
  };
  for (const name of select) {
    const value = entity[name];
    if (value !== undefined) out[name] = value;
  }
  return out as unknown as Entity;
}
