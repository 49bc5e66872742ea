import { z } from "zod";
import { type Event, type Json, type RunState, T } from "../core/index.js";
import { isOutputRef } from "../protocol/messages.js";
import { readJsonBlob } from "../storage/jsonBlob.js";
import type { BlobStore } from "../storage/ports.js";

/**
 * Large outputs live in blobs and the state keeps a reference. Before a batch is applied, this
 * fetches the referenced outputs that a condition may read in it: those of the condition
 * parents of every child of a task completing in the batch. The reducer stays synchronous.
 */
export class OutputFetcher {
  constructor(private readonly blobs: BlobStore) {}

  async prefetch(
    run: RunState,
    events: readonly Event[],
  ): Promise<((task: number, stored: Json) => Json) | undefined> {
    const { childStart, children, conditionParents } = run.def;
    if (conditionParents.size === 0) return undefined;
    const completing = new Map<number, Json>();
    const wanted = new Set<number>();
    for (const e of events) {
      if (e.kind !== "completed") continue;
      if (e.output !== undefined) completing.set(e.task, e.output);
      for (let k = childStart[e.task]!; k < childStart[e.task + 1]!; k++) {
        for (const p of conditionParents.get(children[k]!) ?? []) wanted.add(p);
      }
    }
    const fetched = new Map<number, Json>();
    await Promise.all(
      [...wanted].map(async (p) => {
        const stored =
          completing.get(p) ?? (run.status[p] === T.completed ? run.outputs.get(p) : undefined);
        if (!isOutputRef(stored)) return;
        const output = await readJsonBlob(this.blobs, stored.path, z.json());
        if (output !== null) fetched.set(p, output as Json);
      }),
    );
    if (fetched.size === 0) return undefined;
    return (task, stored) => fetched.get(task) ?? stored;
  }
}
