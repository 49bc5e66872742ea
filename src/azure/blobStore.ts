/**
 * BlobStore over one Azure blob container. Refused conditional writes become ConflictErrors
 * (blobConflict.ts), so callers never see HTTP details.
 */
import type { ContainerClient } from "@azure/storage-blob";
import type { BlobRead, BlobStore, BlobWriteOptions } from "../storage/ports.js";
import { ConflictError, NotFoundError } from "../storage/ports.js";
import { conflictOf, isLeaseRefusal, isLeaseTaken } from "./blobConflict.js";
import { isStatus } from "./storageError.js";

export class AzureBlobStore implements BlobStore {
  constructor(private readonly container: ContainerClient) {}

  async ensure(): Promise<void> {
    await this.container.createIfNotExists();
  }

  async read(path: string, opts: { readonly offset?: number } = {}): Promise<BlobRead | null> {
    const blob = this.container.getBlobClient(path);
    try {
      const res = await blob.download(opts.offset ?? 0);
      const data = res.readableStreamBody
        ? await readAll(res.readableStreamBody)
        : new Uint8Array();
      return {
        data,
        size: totalSize(res, data),
        etag: res.etag ?? "",
        metadata: res.metadata ?? {},
      };
    } catch (err) {
      if (isStatus(err, 404)) return null;
      // An offset at or past the end: Azure answers 416 (Azurite returns 0 bytes only at the
      // exact end). Either way the tail is empty.
      if (isStatus(err, 416)) return this.emptyTail(path);
      throw err;
    }
  }

  async readIfChanged(path: string, etag: string): Promise<BlobRead | "unchanged" | null> {
    const blob = this.container.getBlobClient(path);
    try {
      const res = await blob.download(0, undefined, { conditions: { ifNoneMatch: etag } });
      const data = res.readableStreamBody
        ? await readAll(res.readableStreamBody)
        : new Uint8Array();
      return { data, size: data.length, etag: res.etag ?? "", metadata: res.metadata ?? {} };
    } catch (err) {
      if (isStatus(err, 304)) return "unchanged";
      if (isStatus(err, 404)) return null;
      throw err;
    }
  }

  private async emptyTail(path: string): Promise<BlobRead | null> {
    try {
      const props = await this.container.getBlobClient(path).getProperties();
      return {
        data: new Uint8Array(),
        size: props.contentLength ?? 0,
        etag: props.etag ?? "",
        metadata: props.metadata ?? {},
      };
    } catch (err) {
      if (isStatus(err, 404)) return null;
      throw err;
    }
  }

  async create(
    path: string,
    data: Uint8Array,
    metadata?: Record<string, string>,
  ): Promise<string | null> {
    try {
      const res = await this.container
        .getBlockBlobClient(path)
        .upload(data, data.byteLength, { metadata, conditions: { ifNoneMatch: "*" } });
      return res.etag ?? "";
    } catch (err) {
      // 409 BlobAlreadyExists, or 412 when the existing blob is leased: either way it exists.
      if (isStatus(err, 409, 412)) return null;
      throw err;
    }
  }

  async write(path: string, data: Uint8Array, opts: BlobWriteOptions = {}): Promise<string> {
    // A write under a lease must not resurrect a blob deleted meanwhile (delete breaks the
    // lease): If-Match "*" makes it require existence. Azure refuses a lease id on a missing
    // blob anyway, but Azurite silently creates the blob.
    const ifMatch = opts.ifMatch ?? (opts.leaseId !== undefined ? "*" : undefined);
    try {
      const res = await this.container.getBlockBlobClient(path).upload(data, data.byteLength, {
        metadata: opts.metadata,
        conditions: { ifMatch, leaseId: opts.leaseId },
      });
      return res.etag ?? "";
    } catch (err) {
      throw conflictOf(err, path, opts.ifMatch === undefined ? "LEASE_HELD" : "ETAG_MISMATCH");
    }
  }

  async createAppend(path: string): Promise<string | null> {
    try {
      const res = await this.container
        .getAppendBlobClient(path)
        .create({ conditions: { ifNoneMatch: "*" } });
      return res.etag ?? "";
    } catch (err) {
      if (isStatus(err, 409, 412)) return null;
      throw err;
    }
  }

  async append(
    path: string,
    data: Uint8Array,
    opts: { readonly ifMatch: string },
  ): Promise<string> {
    // The service rejects empty blocks (400); an empty append is a conditional no-op instead.
    if (data.byteLength === 0) return this.checkEtag(path, opts.ifMatch);
    try {
      const res = await this.container
        .getAppendBlobClient(path)
        .appendBlock(data, data.byteLength, { conditions: { ifMatch: opts.ifMatch } });
      return res.etag ?? "";
    } catch (err) {
      throw conflictOf(err, path, "ETAG_MISMATCH");
    }
  }

  private async checkEtag(path: string, ifMatch: string): Promise<string> {
    const current = await this.emptyTail(path);
    if (current === null || current.etag !== ifMatch) {
      throw new ConflictError("ETAG_MISMATCH", `${path}: the blob changed`);
    }
    return current.etag;
  }

  async setMetadata(
    path: string,
    metadata: Record<string, string>,
    opts: { readonly ifMatch: string },
  ): Promise<string> {
    try {
      const res = await this.container
        .getBlobClient(path)
        .setMetadata(metadata, { conditions: { ifMatch: opts.ifMatch } });
      return res.etag ?? "";
    } catch (err) {
      throw conflictOf(err, path, "ETAG_MISMATCH");
    }
  }

  async acquireLease(path: string, durationS: number): Promise<string | null> {
    try {
      const res = await this.container
        .getBlobClient(path)
        .getBlobLeaseClient()
        .acquireLease(durationS);
      return res.leaseId ?? null;
    } catch (err) {
      if (isLeaseTaken(err)) return null;
      if (isStatus(err, 404)) throw new NotFoundError(`${path}: no such blob to lease`);
      throw err;
    }
  }

  async renewLease(path: string, leaseId: string): Promise<boolean> {
    try {
      await this.container.getBlobClient(path).getBlobLeaseClient(leaseId).renewLease();
      return true;
    } catch (err) {
      if (isStatus(err, 404, 409, 412)) return false;
      throw err;
    }
  }

  async releaseLease(path: string, leaseId: string): Promise<void> {
    try {
      await this.container.getBlobClient(path).getBlobLeaseClient(leaseId).releaseLease();
    } catch (err) {
      if (isStatus(err, 404, 409, 412)) return;
      throw err;
    }
  }

  async isLeased(path: string): Promise<boolean> {
    try {
      const props = await this.container.getBlobClient(path).getProperties();
      return props.leaseState === "leased" || props.leaseState === "breaking";
    } catch (err) {
      if (isStatus(err, 404)) return false;
      throw err;
    }
  }

  async delete(path: string): Promise<boolean> {
    const blob = this.container.getBlobClient(path);
    // Someone may lease the blob again between our break and our delete: retry a few times.
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await blob.deleteIfExists({ deleteSnapshots: "include" });
        return res.succeeded;
      } catch (err) {
        if (attempt >= 3 || !isLeaseRefusal(err)) throw err;
      }
      try {
        await blob.getBlobLeaseClient().breakLease(0);
      } catch (err) {
        if (!isStatus(err, 404, 409)) throw err;
      }
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    for await (const item of this.container.listBlobsFlat({ prefix })) yield item.name;
  }

  async listTop(prefix: string): Promise<string[]> {
    const names: string[] = [];
    for await (const item of this.container.listBlobsByHierarchy("/", { prefix }))
      if (item.kind === "blob") names.push(item.name);
    return names;
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  const buf = chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks);
  // A plain Uint8Array view, so callers comparing bytes see the same type as other adapters.
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** A ranged download's total length is in its Content-Range ("bytes 10-19/20"). */
function totalSize(res: { contentRange?: string }, data: Uint8Array): number {
  const total = res.contentRange?.match(/\/(\d+)$/)?.[1];
  return total === undefined ? data.length : Number(total);
}
