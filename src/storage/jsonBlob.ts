import { z } from "zod";
import { toError } from "../toError.js";
import type { BlobStore, BlobWriteOptions } from "./ports.js";

/**
 * A JSON blob, parsed and validated with `schema`; null when the blob does not exist. A blob
 * that is not JSON or does not match throws an error naming the blob and the path inside it:
 * blobs are written by other processes (workers, other versions), so they are input like any
 * other.
 */
export async function readJsonBlob<S extends z.ZodType>(
  blobs: BlobStore,
  path: string,
  schema: S,
): Promise<z.output<S> | null> {
  const blob = await blobs.read(path);
  return blob ? parseJsonBlob(blob.data, path, schema) : null;
}

/** A blob's bytes parsed and validated with `schema`; throws naming the blob when they are not. */
export function parseJsonBlob<S extends z.ZodType>(
  data: Uint8Array,
  path: string,
  schema: S,
): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.length).toString("utf8"));
  } catch (e) {
    throw new Error(`blob ${path}: not JSON: ${toError(e).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`blob ${path}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Writes `value` as a JSON blob (a block blob, replaced whole); returns its ETag. */
export function writeJsonBlob(
  blobs: BlobStore,
  path: string,
  value: unknown,
  opts?: BlobWriteOptions,
): Promise<string> {
  return blobs.write(path, Buffer.from(JSON.stringify(value)), opts);
}
