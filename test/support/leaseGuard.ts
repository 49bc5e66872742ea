/**
 * Wraps a BlobStore to remember every lease a test acquires; `check()` (run after each test)
 * releases any still held and fails the test for it, so no test can leave a lease behind.
 */
import type { BlobStore } from "../../src/storage/ports.js";

export interface LeaseGuard {
  readonly store: BlobStore;
  /** Throws when a lease acquired through `store` is still held; releases it either way. */
  check(): Promise<void>;
}

export function guardLeases(inner: BlobStore): LeaseGuard {
  const acquired: Array<{ path: string; leaseId: string }> = [];
  const store: BlobStore = {
    ensure: () => inner.ensure(),
    read: (path, opts) => inner.read(path, opts),
    readIfChanged: (path, etag) => inner.readIfChanged(path, etag),

    create: (path, data, metadata) => inner.create(path, data, metadata),
    write: (path, data, opts) => inner.write(path, data, opts),
    createAppend: (path) => inner.createAppend(path),
    append: (path, data, opts) => inner.append(path, data, opts),
    setMetadata: (path, metadata, opts) => inner.setMetadata(path, metadata, opts),
    acquireLease: async (path, durationS) => {
      const leaseId = await inner.acquireLease(path, durationS);
      if (leaseId !== null) acquired.push({ path, leaseId });
      return leaseId;
    },
    renewLease: (path, leaseId) => inner.renewLease(path, leaseId),
    releaseLease: (path, leaseId) => inner.releaseLease(path, leaseId),
    isLeased: (path) => inner.isLeased(path),
    delete: (path) => inner.delete(path),
    list: (prefix) => inner.list(prefix),
    listTop: (prefix) => inner.listTop(prefix),
  };
  return {
    store,
    async check() {
      const held: string[] = [];
      for (const { path, leaseId } of acquired.splice(0)) {
        if (await inner.isLeased(path)) {
          held.push(path);
          await inner.releaseLease(path, leaseId);
        }
      }
      if (held.length > 0) throw new Error(`test left leases held on: ${held.join(", ")}`);
    },
  };
}
