/**
 * The storage ports the engine needs, defined by what it consumes: a handful of operations with
 * no Azure types. Each has an Azure adapter (src/azure) and an in-memory adapter (src/memory)
 * with the same lease and ETag semantics; one contract suite runs on both.
 *
 * Failures an adapter reports:
 * - `ConflictError` (code ETAG_MISMATCH or LEASE_HELD): a condition lost a race. The caller
 *   reloads and retries, or leaves the work to whoever won.
 * - anything else: transient or unexpected; callers let it propagate (the trigger retries).
 */

export class ConflictError extends Error {
  override readonly name = "ConflictError";
  constructor(
    readonly code: "ETAG_MISMATCH" | "LEASE_HELD" | "EXISTS",
    message: string,
  ) {
    super(message);
  }
}

/** A lease operation named a blob that does not exist (e.g. a workflow purged mid-run). */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
}

export interface BlobRead {
  readonly data: Uint8Array;
  /** The blob's whole length: more than `data`'s when the read started at an offset. */
  readonly size: number;
  readonly etag: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Conditions and metadata for replacing a block blob. */
export interface BlobWriteOptions {
  /** Only if the blob's ETag is still this. */
  readonly ifMatch?: string;
  /** Only under this lease (required while the blob is leased). */
  readonly leaseId?: string;
  readonly metadata?: Record<string, string>;
}

/** Options for sending a queue message. */
export interface SendOptions {
  /** Seconds the message stays invisible after it is sent (0 by default). */
  readonly delayS?: number;
}

/** One blob container: the deployment's workflows, outputs and sentinels live in it. */
export interface BlobStore {
  /** Creates the container if it does not exist. */
  ensure(): Promise<void>;
  /** The whole blob, or its tail from `offset`; null when it does not exist. */
  read(path: string, opts?: { readonly offset?: number }): Promise<BlobRead | null>;
  /** The blob if its ETag is no longer `etag` (one conditional request), "unchanged", or null. */
  readIfChanged(path: string, etag: string): Promise<BlobRead | "unchanged" | null>;

  /** Writes a block blob only if absent: its ETag, or null when it already exists. */
  create(path: string, data: Uint8Array, metadata?: Record<string, string>): Promise<string | null>;
  /** Replaces a block blob; throws ConflictError if `ifMatch` or `leaseId` does not hold. */
  write(path: string, data: Uint8Array, opts?: BlobWriteOptions): Promise<string>;
  /** Creates an empty append blob only if absent: its ETag, or null when it already exists. */
  createAppend(path: string): Promise<string | null>;
  /** Appends one block atomically if the blob's ETag is still `ifMatch`; returns the new ETag. */
  append(path: string, data: Uint8Array, opts: { readonly ifMatch: string }): Promise<string>;
  /** Replaces metadata if the ETag is still `ifMatch` (it changes the ETag); ConflictError otherwise. */
  setMetadata(
    path: string,
    metadata: Record<string, string>,
    opts: { readonly ifMatch: string },
  ): Promise<string>;
  /**
   * A lease of `durationS` (15–60) on an existing blob: its id, or null while another holds it.
   * NotFoundError when the blob does not exist.
   */
  acquireLease(path: string, durationS: number): Promise<string | null>;
  /** False when the lease is no longer ours (expired and taken, or broken). */
  renewLease(path: string, leaseId: string): Promise<boolean>;
  /** Idempotent: releasing a lease that is gone is not an error. */
  releaseLease(path: string, leaseId: string): Promise<void>;
  /** Whether some lease currently holds the blob (for diagnostics and sweeps). */
  isLeased(path: string): Promise<boolean>;
  /** Deletes a blob, breaking any lease; false when it did not exist. */
  delete(path: string): Promise<boolean>;
  /** Blob names under a prefix, in name order. */
  list(prefix: string): AsyncIterable<string>;
  /**
   * Blob names right under a folder-like prefix (ending in `/`), not those in its sub-folders, in
   * name order: one request for a workflow's head and signals, however many outputs it has.
   */
  listTop(prefix: string): Promise<string[]>;
}

export interface QueueMessage {
  readonly id: string;
  readonly popReceipt: string;
  readonly text: string;
  readonly dequeueCount: number;
  readonly insertedOn: number;
}

/** The most a storage queue message may hold: 64 KiB of UTF-8, as Azure Storage counts it. */
export const MAX_QUEUE_MESSAGE_BYTES = 64 * 1024;

export interface QueueStore {
  /** Creates the queue if it does not exist. */
  ensure(queue: string): Promise<void>;
  /** Sends UTF-8 text (at most MAX_QUEUE_MESSAGE_BYTES), invisible for `delayS` seconds. */
  send(queue: string, text: string, opts?: SendOptions): Promise<void>;
  /** Up to `max` (≤ 32) messages, each invisible to others for `visibilityS` seconds. */
  receive(queue: string, max: number, visibilityS: number): Promise<QueueMessage[]>;
  /** Deletes a received message; false when its pop receipt is no longer valid. */
  delete(queue: string, msg: QueueMessage): Promise<boolean>;
  /**
   * Makes a received message visible again after `visibilityS` seconds (0: now), or keeps a
   * running task's message hidden that much longer. The pop receipt changes: the returned
   * message carries the new one; null when the message is gone or was received by another.
   */
  release(queue: string, msg: QueueMessage, visibilityS: number): Promise<QueueMessage | null>;

  /** Approximate number of messages, visible or not. */
  depth(queue: string): Promise<number>;
  clear(queue: string): Promise<void>;
  /** Queue names starting with `prefix`. */
  list(prefix: string): Promise<string[]>;
}

export type EntityValue = string | number | boolean | null;
export interface Entity {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly [field: string]: EntityValue;
}

export interface TableQuery {
  readonly partitionKey?: string;
  /** Rows whose RowKey starts with this (a ge/lt range, not a scan). */
  readonly rowKeyPrefix?: string;
  /** Equality on fields, all of which must hold. */
  readonly where?: Readonly<Record<string, EntityValue>>;
  readonly select?: readonly string[];
}

export interface TableStore {
  ensure(table: string): Promise<void>;
  /** Inserts or replaces an entity. */
  upsert(table: string, entity: Entity): Promise<void>;
  get(table: string, partitionKey: string, rowKey: string): Promise<Entity | null>;
  query(table: string, q: TableQuery): AsyncIterable<Entity>;
  /** Idempotent: deleting a missing entity is not an error. */
  delete(table: string, partitionKey: string, rowKey: string): Promise<void>;
  /** Inserts or replaces up to 100 entities of one partition in one transaction. */
  upsertBatch(table: string, entities: readonly Entity[]): Promise<void>;
  /** Deletes up to 100 entities of one partition; missing ones are skipped. */
  deleteBatch(table: string, partitionKey: string, rowKeys: readonly string[]): Promise<void>;
}

/**
 * Where task messages go: a storage queue, or a Service Bus queue for `sb://` targets. A storage
 * queue that does not exist yet is created by the first send (task queues are named by user
 * definitions), so callers never ensure one themselves.
 */
export interface TaskSink {
  send(target: string, texts: readonly string[], opts?: SendOptions): Promise<void>;
}

/** Everything the engine touches, bundled so it can be swapped in one place. */
export interface Storage {
  readonly blobs: BlobStore;
  readonly queues: QueueStore;
  readonly tables: TableStore;
  readonly tasks: TaskSink;
}
