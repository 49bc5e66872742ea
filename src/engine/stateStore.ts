import { createHash } from "node:crypto";
import { z } from "zod";
import {
  type Changes,
  type CompiledWorkflow,
  compile,
  parseDefinition,
  type RunState,
  replay,
  restore,
  snapshot,
  type WorkflowDefinition,
  WorkflowDefinitionSchema,
} from "../core/index.js";
import { definitionHash } from "../definitionHash.js";
import type { Layout } from "../storage/layout.js";
import { type BlobRead, type BlobStore, ConflictError } from "../storage/ports.js";
import { frame, packJson, unframe, unpackJson } from "./codec.js";

/** Blobs deleted at once by purge: bounded, so a huge workflow never opens thousands of requests. */
const PURGE_BATCH = 32;

/** Blob metadata naming the definition schema a stored definition was parsed with. */
const SCHEMA_KEY = "dagqschema";

let schemaTag: string | undefined;
/** A short hash of the definition schema: it changes whenever the schema does. */
function definitionSchemaTag(): string {
  schemaTag ??= createHash("sha256")
    .update(JSON.stringify(z.toJSONSchema(WorkflowDefinitionSchema, { io: "output" })))
    .digest("hex")
    .slice(0, 16);
  return schemaTag;
}

/**
 * A workflow's state in blobs: an immutable definition, a head blob holding a snapshot and the
 * generation of the journal that follows it, and that append-only journal of deltas. A batch
 * costs one append of its delta (bytes independent of the workflow's size); when the journal
 * grows, the lease holder compacts it into a new snapshot and a fresh journal generation.
 *
 * Writers are serialized twice over: by the lease on the head blob (who may work), and by the
 * journal's ETag on every append (whose write counts). A writer whose lease silently expired
 * cannot corrupt the state: its append fails the ETag check, unless nobody wrote since it
 * loaded, in which case its delta is a valid continuation and the next writer replays it.
 * Compaction first seals the old journal (a metadata write that bumps its ETag), so no
 * append can land in a generation the head no longer points to.
 */
export interface StateVersion {
  readonly gen: number;
  readonly headEtag: string;
  readonly journalEtag: string;
  readonly journalBytes: number;
  readonly journalFrames: number;
  /** The journal was sealed by a compaction that did not finish; finish it before writing. */
  readonly sealed: boolean;
}

export interface LoadedState {
  readonly run: RunState;
  version: StateVersion;
}

interface Head {
  readonly v: 1;
  readonly gen: number;
  readonly snapshot: Changes;
}

export const COMPACT_AFTER = { bytes: 4 * 1024 * 1024, frames: 2000 } as const;

/** The definition blob's metadata key for its hash (Azure metadata names are C# identifiers). */
const HASH_METADATA = "sha256";

export class StateStore {
  private readonly definitions = new Map<string, CompiledWorkflow>();
  private cachedTasks = 0;
  private readonly compiling = new Map<string, Promise<CompiledWorkflow | null>>();
  /** States loaded for queries, most recently used last; never shared with a writer. */
  private readonly readCache = new Map<string, LoadedState>();

  constructor(
    private readonly blobs: BlobStore,
    private readonly names: Layout,
    private readonly compactAfter: {
      readonly bytes: number;
      readonly frames: number;
    } = COMPACT_AFTER,
    /**
     * Compiled definitions kept, counted in tasks (what their size grows with), not in
     * workflows: 64 workflows, the old limit, meant a definition read and a recompile per
     * event once thousands of small workflows ran at once (3.7 per 3-task workflow in the
     * 10,000-workflow bench), while 64 of 100,000 tasks are gigabytes.
     */
    private readonly maxCachedTasks = 1_000_000,
  ) {}

  /**
   * Writes definition, head and first journal; ConflictError EXISTS if the id is taken. The
   * definition blob carries the definition's hash (definitionHash.ts) in its metadata, so that
   * a submission under the same id can be told a retry from another workflow.
   */
  async create(id: string, def: CompiledWorkflow, run: RunState): Promise<StateVersion> {
    const defEtag = await this.blobs.create(
      this.names.definitionBlob(id),
      packJson(def.definition),
      { [HASH_METADATA]: definitionHash(def.definition), [SCHEMA_KEY]: definitionSchemaTag() },
    );
    if (defEtag === null) throw new ConflictError("EXISTS", `workflow ${id} already exists`);
    const journalEtag = await this.blobs.createAppend(this.names.journalBlob(id, 0));
    const headEtag = await this.blobs.create(
      this.names.headBlob(id),
      packJson({ v: 1, gen: 0, snapshot: snapshot(run) } satisfies Head),
    );
    if (journalEtag === null || headEtag === null)
      throw new ConflictError("EXISTS", `workflow ${id} already has state`);
    this.remember(id, def);
    return { gen: 0, headEtag, journalEtag, journalBytes: 0, journalFrames: 0, sealed: false };
  }

  /**
   * Finishes a creation that stopped after the definition blob (a crash, or a client's retry
   * racing its first try): the first journal and the head, each only if absent. True when this
   * call wrote the head, i.e. the workflow did not exist until now.
   */
  async finishCreate(id: string, def: CompiledWorkflow, run: RunState): Promise<boolean> {
    await this.blobs.createAppend(this.names.journalBlob(id, 0));
    const headEtag = await this.blobs.create(
      this.names.headBlob(id),
      packJson({ v: 1, gen: 0, snapshot: snapshot(run) } satisfies Head),
    );
    this.remember(id, def);
    return headEtag !== null;
  }

  /**
   * The hash of the stored definition: from the blob's metadata, or computed from the blob for a
   * workflow created before hashes were kept. Null when there is no definition.
   */
  async definitionHash(id: string): Promise<string | null> {
    const blob = await this.blobs.read(this.names.definitionBlob(id));
    if (!blob) return null;
    return (
      blob.metadata[HASH_METADATA] ?? definitionHash(unpackJson<WorkflowDefinition>(blob.data))
    );
  }

  /**
   * The compiled definition, from the cache when possible (definitions never change). Concurrent
   * first reads share one read and compile: for 100k tasks that is most of a second, and a
   * dashboard's first view asks for the graph and the task table at once.
   */
  async definition(id: string): Promise<CompiledWorkflow | null> {
    const hit = this.definitions.get(id);
    if (hit) {
      this.definitions.delete(id);
      this.definitions.set(id, hit);
      return hit;
    }
    const pending = this.compiling.get(id);
    if (pending) return pending;
    const compiling = (async () => {
      const blob = await this.blobs.read(this.names.definitionBlob(id));
      if (!blob) return null;
      const stored = unpackJson<WorkflowDefinition>(blob.data);
      // Written by this very schema (parsed, defaults applied): validating it again costs half
      // a second for 100,000 tasks, on every cold read. Any other version is parsed first.
      const trusted = blob.metadata[SCHEMA_KEY] === definitionSchemaTag();
      const def = compile(trusted ? stored : parseDefinition(stored));
      this.remember(id, def);
      return def;
    })().finally(() => this.compiling.delete(id));
    this.compiling.set(id, compiling);
    return compiling;
  }

  /** The current state, or null when the workflow does not exist (never created, or purged). */
  async load(id: string): Promise<LoadedState | null> {
    const def = await this.definition(id);
    if (!def) return null;
    const headBlob = await this.blobs.read(this.names.headBlob(id));
    if (!headBlob) return null;
    const head = unpackJson<Head>(headBlob.data);
    const journal = await this.blobs.read(this.names.journalBlob(id, head.gen));
    if (!journal) throw new Error(`workflow ${id}: journal generation ${head.gen} is missing`);
    const deltas = unframe<Changes>(journal.data);
    const run = restore(def, id, head.snapshot, deltas);
    return {
      run,
      version: {
        gen: head.gen,
        headEtag: headBlob.etag,
        journalEtag: journal.etag,
        journalBytes: journal.data.length,
        journalFrames: deltas.length,
        sealed: journal.metadata.sealed === "1",
      },
    };
  }

  /**
   * The current state for reading only (status, task queries): kept per workflow between calls
   * and brought up to date with one conditional read of the head and a read of the journal's
   * new tail, so that polling a 100k-task workflow costs what changed since the last poll, not
   * the whole state. The returned run must not be changed by the caller.
   */
  async loadForRead(id: string): Promise<LoadedState | null> {
    const cached = this.readCache.get(id);
    if (!cached) return this.cacheForRead(id, await this.load(id));
    const head = await this.blobs.readIfChanged(this.names.headBlob(id), cached.version.headEtag);
    if (head === null) return this.cacheForRead(id, null);
    if (head !== "unchanged") return this.cacheForRead(id, await this.load(id));
    const v = cached.version;
    const tail = await this.blobs.read(this.names.journalBlob(id, v.gen), {
      offset: v.journalBytes,
    });
    // Gone: a compaction moved on between the two reads; a full load sees the new generation.
    // Shorter than what was read before: the journal was written anew under us (an emulator
    // restart that lost acknowledged writes did this), so the cached run is no longer its
    // prefix. Reading on from the old offset would serve that old run for good.
    if (!tail || tail.size < v.journalBytes) return this.cacheForRead(id, await this.load(id));
    try {
      const deltas = unframe<Changes>(tail.data);
      for (const d of deltas) replay(cached.run, d);
      return this.advance(id, cached, tail, deltas.length);
    } catch {
      // A tail that does not parse (a storage restart under us, a read cut short) must not
      // poison the cache for good: drop the entry, half replayed as it may be, and load it all.
      this.readCache.delete(id);
      return this.cacheForRead(id, await this.load(id));
    }
  }

  private advance(id: string, cached: LoadedState, tail: BlobRead, frames: number): LoadedState {
    const v = cached.version;
    cached.run.touched.clear();
    cached.run.wfTouched = false;
    cached.version = {
      ...v,
      journalEtag: tail.etag,
      journalBytes: v.journalBytes + tail.data.length,
      journalFrames: v.journalFrames + frames,
      sealed: tail.metadata.sealed === "1",
    };
    this.readCache.delete(id);
    this.readCache.set(id, cached);
    return cached;
  }

  private cacheForRead(id: string, loaded: LoadedState | null): LoadedState | null {
    this.readCache.delete(id);
    if (!loaded) return null;
    this.readCache.set(id, loaded);
    if (this.readCache.size > 8) this.readCache.delete(this.readCache.keys().next().value!);
    return loaded;
  }

  /** Makes a delta durable. ConflictError ETAG_MISMATCH: someone else wrote; reload and redo. */
  async append(id: string, version: StateVersion, delta: Changes): Promise<StateVersion> {
    if (version.sealed)
      throw new ConflictError("ETAG_MISMATCH", `workflow ${id}: journal ${version.gen} is sealed`);
    const block = frame(delta);
    const journalEtag = await this.blobs.append(this.names.journalBlob(id, version.gen), block, {
      ifMatch: version.journalEtag,
    });
    return {
      ...version,
      journalEtag,
      journalBytes: version.journalBytes + block.length,
      journalFrames: version.journalFrames + 1,
    };
  }

  needsCompaction(version: StateVersion): boolean {
    return (
      version.sealed ||
      version.journalBytes > this.compactAfter.bytes ||
      version.journalFrames > this.compactAfter.frames
    );
  }

  /** Folds the journal into a new snapshot (lease required); `run` must include every delta. */
  async compact(
    id: string,
    version: StateVersion,
    run: RunState,
    leaseId: string,
  ): Promise<StateVersion> {
    const oldJournal = this.names.journalBlob(id, version.gen);
    if (!version.sealed)
      await this.blobs.setMetadata(oldJournal, { sealed: "1" }, { ifMatch: version.journalEtag });
    const gen = version.gen + 1;
    const nextJournal = this.names.journalBlob(id, gen);
    // A compaction that crashed after this point left an empty next journal behind: reuse it.
    const journalEtag =
      (await this.blobs.createAppend(nextJournal)) ?? (await this.emptyJournalEtag(nextJournal));
    const headEtag = await this.blobs.write(
      this.names.headBlob(id),
      packJson({ v: 1, gen, snapshot: snapshot(run) } satisfies Head),
      {
        ifMatch: version.headEtag,
        leaseId,
      },
    );
    await this.blobs.delete(oldJournal);
    return { gen, headEtag, journalEtag, journalBytes: 0, journalFrames: 0, sealed: false };
  }

  async acquireLease(id: string, durationS: number): Promise<string | null> {
    return this.blobs.acquireLease(this.names.headBlob(id), durationS);
  }

  async renewLease(id: string, leaseId: string): Promise<boolean> {
    return this.blobs.renewLease(this.names.headBlob(id), leaseId);
  }

  async isLeased(id: string): Promise<boolean> {
    return this.blobs.isLeased(this.names.headBlob(id));
  }

  async releaseLease(id: string, leaseId: string): Promise<void> {
    await this.blobs.releaseLease(this.names.headBlob(id), leaseId);
  }

  /**
   * Deletes every blob of the workflow. The head goes first: from then on the workflow reads as
   * absent and its lease is gone, so an ingest in flight fails and its completions are dropped
   * on redelivery instead of resurrecting the state.
   */
  /**
   * Deletes the workflow's blobs, the head first (so it no longer exists for any reader), then
   * the rest a batch at a time. A workflow with many spilled outputs has many blobs, so `stop`
   * is asked between batches: true leaves the rest for a later call and returns false; true
   * when nothing is left. Idempotent.
   */
  async purge(id: string, stop: () => boolean = () => false): Promise<boolean> {
    this.forgetDefinition(id);
    this.readCache.delete(id);

    await this.blobs.delete(this.names.headBlob(id));
    // Deleting while listing is safe: the listing pages by name, after the last one returned.
    let batch: string[] = [];
    for await (const p of this.blobs.list(this.names.workflowPrefix(id))) {
      batch.push(p);
      if (batch.length < PURGE_BATCH) continue;
      await Promise.all(batch.map((b) => this.blobs.delete(b)));
      batch = [];
      if (stop()) return false;
    }
    await Promise.all(batch.map((b) => this.blobs.delete(b)));
    return true;
  }

  /** Deletes whatever is left under a purged workflow's prefix; true when there was anything. */
  async purgeLeftovers(id: string): Promise<boolean> {
    let found = false;
    for await (const p of this.blobs.list(this.names.workflowPrefix(id))) {
      found = true;
      await this.blobs.delete(p);
    }
    return found;
  }

  private async emptyJournalEtag(path: string): Promise<string> {
    const blob = await this.blobs.read(path);
    if (!blob || blob.data.length > 0)
      throw new Error(`${path}: expected an empty journal to resume a compaction`);
    return blob.etag;
  }

  private remember(id: string, def: CompiledWorkflow): void {
    this.forgetDefinition(id);
    this.definitions.set(id, def);
    this.cachedTasks += def.tasks.length;
    // Oldest first, but never the one just remembered.
    for (const oldest of this.definitions.keys()) {
      if (this.cachedTasks <= this.maxCachedTasks || oldest === id) break;
      this.forgetDefinition(oldest);
    }
  }

  private forgetDefinition(id: string): void {
    const def = this.definitions.get(id);
    if (!def) return;
    this.definitions.delete(id);
    this.cachedTasks -= def.tasks.length;
  }
}
