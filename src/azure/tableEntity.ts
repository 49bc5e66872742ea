/**
 * Translation between the port's plain entities and Azure Table entities, and TableQuery to an
 * OData filter. Kept apart from the store so the rules are in one place:
 * - keys are escaped (tableKey.ts); `timestamp` is the service's Timestamp as epoch ms;
 * - null fields are not stored (Azure has no null property), so reading gives them back absent;
 * - integers outside Int32 are written as Edm.Double, exact up to 2^53 (an unannotated JSON
 *   integer is Int32 to the service), and compared against Double literals in filters.
 */
import { odata } from "@azure/data-tables";
import type { Entity, EntityValue, TableQuery } from "../storage/ports.js";
import { decodeKey, encodeKey, prefixUpperBound } from "./tableKey.js";

export type AzureEntity = Record<string, unknown> & { partitionKey: string; rowKey: string };

/** Property names the service owns or the port reserves; never written as fields. */
const RESERVED = new Set(["partitionKey", "rowKey", "timestamp", "etag"]);
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isInt32(n: number): boolean {
  return Number.isInteger(n) && n >= -2147483648 && n <= 2147483647;
}

export function toAzureEntity(entity: Entity): AzureEntity {
  const out: AzureEntity = {
    partitionKey: encodeKey(entity.partitionKey),
    rowKey: encodeKey(entity.rowKey),
  };
  for (const [name, value] of Object.entries(entity)) {
    if (RESERVED.has(name) || value === null || value === undefined) continue;
    out[name] =
      typeof value === "number" && !isInt32(value)
        ? { value: String(value), type: "Double" }
        : value;
  }
  return out;
}

export function fromAzureEntity(raw: Record<string, unknown>): Entity {
  const out: Record<string, EntityValue> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name === "etag" || name.startsWith("odata.")) continue;
    if (name === "partitionKey" || name === "rowKey") out[name] = decodeKey(String(value));
    else if (name === "timestamp") out.timestamp = Date.parse(String(value));
    else if (typeof value === "string" || typeof value === "boolean") out[name] = value;
    else if (typeof value === "number") out[name] = value;
    else if (typeof value === "bigint") out[name] = Number(value);
    else if (value instanceof Date) out[name] = value.getTime();
    // null (a selected property the entity lacks) and binary values are left out.
  }
  return out as unknown as Entity;
}

export function checkFieldName(name: string): string {
  if (!FIELD_NAME.test(name)) throw new Error(`invalid table field name: ${JSON.stringify(name)}`);
  return name;
}

/** An OData comparison `eq <value>`; strings are quoted by data-tables' `odata` tag. */
function eq(value: string | number | boolean): string {
  if (typeof value === "string") return odata`eq ${value}`;
  if (typeof value === "boolean") return `eq ${value}`;
  if (!Number.isFinite(value)) throw new Error(`cannot compare with ${value} in a table query`);
  if (isInt32(value)) return `eq ${value}`;
  const text = String(value);
  // A whole number written as Double must read as a Double literal, not an Int64 one.
  return /^-?\d+$/.test(text) ? `eq ${text}.0` : `eq ${text}`;
}

/** The server-side filter, or undefined for a full scan. Null equalities are left to `matchesNulls`. */
export function filterOf(q: TableQuery): string | undefined {
  const parts: string[] = [];
  if (q.partitionKey !== undefined) parts.push(odata`PartitionKey eq ${encodeKey(q.partitionKey)}`);
  if (q.rowKeyPrefix) {
    const low = encodeKey(q.rowKeyPrefix);
    const high = prefixUpperBound(low);
    parts.push(
      high === undefined ? odata`RowKey ge ${low}` : odata`RowKey ge ${low} and RowKey lt ${high}`,
    );
  }
  for (const [name, value] of Object.entries(q.where ?? {})) {
    if (value === null) continue;
    if (name === "partitionKey") parts.push(`PartitionKey ${eq(encodeKey(String(value)))}`);
    else if (name === "rowKey") parts.push(`RowKey ${eq(encodeKey(String(value)))}`);
    else parts.push(`${checkFieldName(name)} ${eq(value)}`);
  }
  return parts.length > 0 ? parts.join(" and ") : undefined;
}

/** Fields a `where: { field: null }` needs absent; Azure cannot filter on absence. */
export function nullFields(q: TableQuery): string[] {
  return Object.entries(q.where ?? {})
    .filter(([, value]) => value === null)
    .map(([name]) => checkFieldName(name));
}

/** The properties to fetch: the selection plus keys, Timestamp and client-side filter fields. */
export function selectOf(q: TableQuery, extra: readonly string[]): string[] | undefined {
  if (!q.select) return undefined;
  const fields = q.select.filter((f) => !RESERVED.has(f)).map(checkFieldName);
  return [...new Set(["partitionKey", "rowKey", "timestamp", ...fields, ...extra])];
}
