/**
 * TableStore over Azure Table storage, one cached TableClient per table. Entity translation and
 * filters live in tableEntity.ts; key escaping in tableKey.ts.
 *
 * Batches are transactions of at most 100 operations on one partition, so larger inputs are
 * grouped by partition and chunked; chunks run a few at a time. A chunk is atomic on its own,
 * a whole batch is not. No correctness here depends on conditional operations inside a batch
 * (Azurite ignores If-Match there, Azurite issue #1233).
 */
import type { TableClient, TransactionAction } from "@azure/data-tables";
import type { Entity, TableQuery, TableStore } from "../storage/ports.js";
import { forEachLimit } from "./forEachLimit.js";
import { isStatus, storageFailure } from "./storageError.js";
import type { AzureEntity } from "./tableEntity.js";
import { filterOf, fromAzureEntity, nullFields, selectOf, toAzureEntity } from "./tableEntity.js";
import { encodeKey } from "./tableKey.js";

const MAX_BATCH = 100;
const PARALLEL_CHUNKS = 8;
const PARALLEL_SINGLE_DELETES = 16;

export class AzureTableStore implements TableStore {
  private readonly clients = new Map<string, TableClient>();

  /** `makeClient` builds the client for one table (from a connection string or a credential). */
  constructor(private readonly makeClient: (table: string) => TableClient) {}

  private client(table: string): TableClient {
    let client = this.clients.get(table);
    if (!client) {
      client = this.makeClient(table);
      this.clients.set(table, client);
    }
    return client;
  }

  async ensure(table: string): Promise<void> {
    await this.client(table).createTable(); // a no-op when it exists (the SDK absorbs the 409)
  }

  async upsert(table: string, entity: Entity): Promise<void> {
    await this.client(table).upsertEntity(toAzureEntity(entity), "Replace");
  }

  async get(table: string, partitionKey: string, rowKey: string): Promise<Entity | null> {
    try {
      const raw = await this.client(table).getEntity(encodeKey(partitionKey), encodeKey(rowKey));
      return fromAzureEntity(raw);
    } catch (err) {
      if (isEntityMissing(err)) return null;
      throw err;
    }
  }

  async *query(table: string, q: TableQuery): AsyncIterable<Entity> {
    const absent = nullFields(q);
    const select = selectOf(q, absent);
    const filter = filterOf(q);
    const keep = q.select ? new Set(["partitionKey", "rowKey", "timestamp", ...q.select]) : null;
    const pages = this.client(table).listEntities({ queryOptions: { filter, select } });
    for await (const raw of pages) {
      const entity = fromAzureEntity(raw);
      if (absent.some((name) => entity[name] !== undefined)) continue;
      if (keep === null) {
        yield entity;
      } else {
        yield Object.fromEntries(
          Object.entries(entity).filter(([name]) => keep.has(name)),
        ) as unknown as Entity;
      }
    }
  }

  async delete(table: string, partitionKey: string, rowKey: string): Promise<void> {
    try {
      await this.client(table).deleteEntity(encodeKey(partitionKey), encodeKey(rowKey));
    } catch (err) {
      if (!isEntityMissing(err)) throw err;
    }
  }

  async upsertBatch(table: string, entities: readonly Entity[]): Promise<void> {
    // Last write wins within a batch; a transaction may name each entity only once.
    const byPartition = new Map<string, Map<string, AzureEntity>>();
    for (const entity of entities) {
      const azure = toAzureEntity(entity);
      const rows = byPartition.get(azure.partitionKey) ?? new Map<string, AzureEntity>();
      byPartition.set(azure.partitionKey, rows);
      rows.set(azure.rowKey, azure);
    }
    const chunks = [...byPartition.values()].flatMap((rows) => chunk([...rows.values()]));
    const client = this.client(table);
    await forEachLimit(chunks, PARALLEL_CHUNKS, async (rows) => {
      await client.submitTransaction(rows.map((e): TransactionAction => ["upsert", e, "Replace"]));
    });
  }

  async deleteBatch(
    table: string,
    partitionKey: string,
    rowKeys: readonly string[],
  ): Promise<void> {
    const pk = encodeKey(partitionKey);
    const keys = [...new Set(rowKeys.map(encodeKey))];
    const client = this.client(table);
    await forEachLimit(chunk(keys), PARALLEL_CHUNKS, async (rks) => {
      const actions = rks.map(
        (rk): TransactionAction => ["delete", { partitionKey: pk, rowKey: rk }],
      );
      try {
        await client.submitTransaction(actions);
      } catch (err) {
        // One missing entity fails the whole transaction: fall back to one idempotent delete
        // per entity for this chunk.
        if (!isEntityMissing(err)) throw err;
        await forEachLimit(rks, PARALLEL_SINGLE_DELETES, async (rk) => {
          try {
            await client.deleteEntity(pk, rk);
          } catch (e) {
            if (!isEntityMissing(e)) throw e;
          }
        });
      }
    });
  }
}

/** 404 for the entity; a missing table (TableNotFound) is an error the caller must see. */
function isEntityMissing(err: unknown): boolean {
  return isStatus(err, 404) && storageFailure(err).code !== "TableNotFound";
}

function chunk<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += MAX_BATCH) out.push(items.slice(i, i + MAX_BATCH));
  return out;
}
