import {
  type Event,
  endRejection,
  type Json,
  jsonValue,
  LIMITS,
  outputsConditionsRead,
  type RunState,
  StateCode,
} from "../core/index.js";
import { isOutputRef } from "../protocol/messages.js";
import { parseJsonBlob } from "../storage/jsonBlob.js";
import type { BlobStore } from "../storage/ports.js";
import { toError } from "../toError.js";

const Output = jsonValue(LIMITS.maxOutputDepth);

/**
 * Large outputs live in blobs and the state keeps a reference. Before a batch is applied, this
 * fetches the referenced outputs that a condition may read in it (the core's rule,
 * `outputsConditionsRead`), taking an incoming output only from a report the reducer will
 * apply: a duplicate or stale report costs no read. The reducer stays synchronous and pure.
 *
 * A blob that is not a valid output (never written by a worker of ours, or garbled) is left as
 * its reference, so the condition reading it cannot be evaluated and says so, alone; it never
 * fails the batch. A storage error does: the cycle is retried.
 */
export class OutputFetcher {
  constructor(
    private readonly blobs: BlobStore,
    private readonly warn: (why: string) => void = () => {},
  ) {}

  async prefetch(
    run: RunState,
    events: readonly Event[],
    opts: { readonly reconcile?: boolean } = {},
  ): Promise<ReadonlyMap<number, Json>> {
    const fetched = new Map<number, Json>();
    const wanted = outputsConditionsRead(run, events, opts);
    if (wanted.size === 0) return fetched;
    const incoming = new Map<number, Json>();
    for (const e of events) {
      if (e.kind !== "completed" || e.output === undefined || incoming.has(e.task)) continue;
      if (endRejection(run, e) === undefined) incoming.set(e.task, e.output);
    }
    await Promise.all(
      [...wanted].map(async (p) => {
        const stored =
          incoming.get(p) ??
          (run.status[p] === StateCode.completed ? run.outputs.get(p) : undefined);
        if (!isOutputRef(stored)) return;
        const blob = await this.blobs.read(stored.path);
        if (!blob) return;
        try {
          fetched.set(p, parseJsonBlob(blob.data, stored.path, Output));
        } catch (e) {
          this.warn(`workflow ${run.id}: ${toError(e).message}`);
        }
      }),
    );
    return fetched;
  }
}
