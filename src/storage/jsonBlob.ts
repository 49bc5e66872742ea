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
  if (!blob) return null;
  let json: unknown;
  try {
    json = JSON.parse(
      Buffer.from(blob.data.buffer, blob.data.byteOffset, blob.data.length).toString("utf8"),
    );
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
