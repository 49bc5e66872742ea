/**
 * BlobStore in memory with Azure's semantics, the reference the Azure adapter is held to:
 * - every write, append and metadata change makes a new ETag;
 * - a conditional operation on a missing blob is an ETAG_MISMATCH;
 * - the ETag condition is checked before the lease (as the service does);
 * - a blob with an active lease refuses writes, appends, metadata changes without its lease id
 *   (LEASE_HELD), and a lease id on a blob without an active lease is refused too;
 * - a lease expires by the clock; until someone else takes the blob, its holder may still
 *   renew or release it (as Azure allows).
 */
import type { BlobRead, BlobStore, BlobWriteOptions } from "../storage/ports.js";
import { ConflictError, NotFoundError } from "../storage/ports.js";

interface Lease {
  readonly id: string;
  readonly durationS: number;
  expiresAt: number;
}

interface Blob {
  data: Uint8Array;
  etag: string;
  metadata: Record<string, string>;
  readonly kind: "block" | "append";
  lease?: Lease;
}

let etagCounter = 0x8dc0000;

function nextEtag(): string {
  etagCounter += 1;
  return `"0x${etagCounter.toString(16).toUpperCase()}"`;
}

/** A path's folder: everything up to its last `/`, or "" at the top. */
function folderOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/") + 1);
}

export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, Blob>();
  /** Names by folder (up to the last `/`), so that `listTop` costs what it returns. */
  private readonly folders = new Map<string, Set<string>>();
  private exists = false;

  constructor(private readonly clock: () => number = Date.now) {}

  async ensure(): Promise<void> {
    this.exists = true;
  }

  private container(): Map<string, Blob> {
    if (!this.exists) throw new Error("ContainerNotFound: call ensure() first");
    return this.blobs;
  }

  private put(path: string, blob: Blob): void {
    this.container().set(path, blob);
    const folder = folderOf(path);
    const names = this.folders.get(folder) ?? new Set<string>();
    this.folders.set(folder, names.add(path));
  }

  private active(blob: Blob): Lease | undefined {
    return blob.lease && this.clock() < blob.lease.expiresAt ? blob.lease : undefined;
  }

  /** Checks `ifMatch`, then the lease, the way the service orders them. */
  private check(path: string, blob: Blob | undefined, ifMatch?: string, leaseId?: string): Blob {
    if (!blob) {
      throw new ConflictError(
        ifMatch === undefined ? "LEASE_HELD" : "ETAG_MISMATCH",
        `${path}: gone`,
      );
    }
    if (ifMatch !== undefined && ifMatch !== "*" && ifMatch !== blob.etag) {
      throw new ConflictError("ETAG_MISMATCH", `${path}: the blob changed`);
    }
    const lease = this.active(blob);
    if (lease ? lease.id !== leaseId : leaseId !== undefined) {
      throw new ConflictError("LEASE_HELD", `${path}: ${lease ? "leased" : "not leased"}`);
    }
    return blob;
  }

  async read(path: string, opts: { readonly offset?: number } = {}): Promise<BlobRead | null> {
    const blob = this.blobs.get(path);
    if (!blob) return null;
    return {
      data: blob.data.slice(Math.min(opts.offset ?? 0, blob.data.length)),
      size: blob.data.length,
      etag: blob.etag,
      metadata: { ...blob.metadata },
    };
  }

  async readIfChanged(path: string, etag: string): Promise<BlobRead | "unchanged" | null> {
    const blob = this.blobs.get(path);
    if (!blob) return null;
    if (blob.etag === etag) return "unchanged";
    const data = blob.data.slice();
    return { data, size: data.length, etag: blob.etag, metadata: { ...blob.metadata } };
  }

  async create(
    path: string,
    data: Uint8Array,
    metadata: Record<string, string> = {},
  ): Promise<string | null> {
    const blobs = this.container();
    if (blobs.has(path)) return null;
    const etag = nextEtag();
    this.put(path, { data: data.slice(), etag, metadata: { ...metadata }, kind: "block" });
    return etag;
  }

  async write(path: string, data: Uint8Array, opts: BlobWriteOptions = {}): Promise<string> {
    const blobs = this.container();
    const existing = blobs.get(path);
    // A plain overwrite may create the blob; a conditional or leased one requires it.
    const lease =
      existing || opts.ifMatch !== undefined || opts.leaseId !== undefined
        ? this.check(path, existing, opts.ifMatch, opts.leaseId).lease
        : undefined;
    const etag = nextEtag();
    this.put(path, {
      data: data.slice(),
      etag,
      metadata: { ...opts.metadata },
      kind: "block",
      lease,
    });
    return etag;
  }

  async createAppend(path: string): Promise<string | null> {
    const blobs = this.container();
    if (blobs.has(path)) return null;
    const etag = nextEtag();
    this.put(path, { data: new Uint8Array(), etag, metadata: {}, kind: "append" });
    return etag;
  }

  async append(
    path: string,
    data: Uint8Array,
    opts: { readonly ifMatch: string },
  ): Promise<string> {
    const blob = this.check(path, this.container().get(path), opts.ifMatch);
    if (blob.kind !== "append") throw new Error(`InvalidBlobType: ${path} is not an append blob`);
    if (data.length === 0) return blob.etag;
    const joined = new Uint8Array(blob.data.length + data.length);
    joined.set(blob.data);
    joined.set(data, blob.data.length);
    blob.data = joined;
    blob.etag = nextEtag();
    return blob.etag;
  }

  async setMetadata(
    path: string,
    metadata: Record<string, string>,
    opts: { readonly ifMatch: string },
  ): Promise<string> {
    const blob = this.check(path, this.container().get(path), opts.ifMatch);
    blob.metadata = { ...metadata };
    blob.etag = nextEtag();
    return blob.etag;
  }

  async acquireLease(path: string, durationS: number): Promise<string | null> {
    if (!Number.isInteger(durationS) || durationS < 15 || durationS > 60) {
      throw new RangeError(`lease duration must be 15–60 s, got ${durationS}`);
    }
    const blob = this.container().get(path);
    if (!blob) throw new NotFoundError(`${path}: no such blob to lease`);
    if (this.active(blob)) return null;
    const id = crypto.randomUUID();
    blob.lease = { id, durationS, expiresAt: this.clock() + durationS * 1000 };
    return id;
  }

  async renewLease(path: string, leaseId: string): Promise<boolean> {
    const lease = this.blobs.get(path)?.lease;
    if (!lease || lease.id !== leaseId) return false;
    lease.expiresAt = this.clock() + lease.durationS * 1000;
    return true;
  }

  async releaseLease(path: string, leaseId: string): Promise<void> {
    const blob = this.blobs.get(path);
    if (blob?.lease?.id === leaseId) blob.lease = undefined;
  }

  async isLeased(path: string): Promise<boolean> {
    const blob = this.blobs.get(path);
    return blob !== undefined && this.active(blob) !== undefined;
  }

  async delete(path: string): Promise<boolean> {
    this.folders.get(folderOf(path))?.delete(path);
    return this.container().delete(path);
  }

  async *list(prefix: string): AsyncIterable<string> {
    const names = [...this.container().keys()].filter((name) => name.startsWith(prefix)).sort();
    yield* names;
  }

  async listTop(prefix: string): Promise<string[]> {
    return [...(this.folders.get(folderOf(prefix)) ?? [])]
      .filter((name) => name.startsWith(prefix) && this.container().has(name))
      .sort();
  }
}
