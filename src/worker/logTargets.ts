import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { type BlobStore, ConflictError } from "../storage/ports.js";
import type { LogTarget } from "./attemptLog.js";

/**
 * An append blob, created by the first append. The same attempt may run twice (a worker died
 * after starting it and the message came back): then the blob exists already, and this run's
 * lines follow the first run's.
 */
export function blobLogTarget(blobs: BlobStore, path: string): LogTarget {
  let etag: string | null = null;
  const currentEtag = async (): Promise<string> => {
    const created = await blobs.createAppend(path);
    if (created !== null) return created;
    const existing = await blobs.read(path, { offset: Number.MAX_SAFE_INTEGER });
    if (existing === null) throw new Error(`${path} vanished while its log was written`);
    return existing.etag;
  };
  return {
    async append(data) {
      for (let tries = 0; ; tries++) {
        etag ??= await currentEtag();
        try {
          etag = await blobs.append(path, data, { ifMatch: etag });
          return;
        } catch (e) {
          // Another run of the same attempt appended in between: read the ETag again.
          if (!(e instanceof ConflictError) || tries >= 5) throw e;
          etag = null;
        }
      }
    },
  };
}

/** A file, with its folders made by the first append (run-local's logs). */
export function fileLogTarget(path: string): LogTarget {
  let made = false;
  return {
    async append(data) {
      if (!made) await mkdir(dirname(path), { recursive: true });
      made = true;
      await appendFile(path, data);
    },
  };
}
