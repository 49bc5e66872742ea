import { z } from "zod";
import { type Json, jsonValue, LIMITS, RunTaskNameSchema, TASK_STATES } from "../core/index.js";
import { isOutputRef, type TaskMessage } from "../protocol/messages.js";
import { readJsonBlob } from "../storage/jsonBlob.js";
import type { BlobStore } from "../storage/ports.js";

/**
 * An inputs blob: the parents' outputs by name, as a task message would carry them inline.
 * Passed through as data (jsonValue): `__proto__` keys stay, deep nesting is a reason.
 */
const Inputs = jsonValue(LIMITS.maxOutputDepth + 1);
const Output = jsonValue(LIMITS.maxOutputDepth);
const ParentStates = z.record(RunTaskNameSchema, z.enum(TASK_STATES));

/**
 * The parents' outputs a task sees in DAGQ_INPUTS, as plain values: read from the message, or
 * from its inputs blob when they did not fit, with every spilled output fetched from its blob.
 * A missing blob fails the attempt with a message naming it, rather than handing the task a
 * reference it cannot use.
 */
export async function resolveInputs(
  msg: TaskMessage,
  blobs: BlobStore,
): Promise<Record<string, Json>> {
  let inputs = (msg.inputs ?? {}) as Record<string, Json>;
  if (msg.inputs_ref)
    inputs = (await readJson(blobs, msg.inputs_ref, Inputs, "inputs")) as Record<string, Json>;
  const out: Record<string, Json> = {};
  await Promise.all(
    Object.entries(inputs).map(async ([name, value]) => {
      out[name] = isOutputRef(value)
        ? await readJson(blobs, value.path, Output, `output of "${name}"`)
        : value;
    }),
  );
  // Keep the parents' order: Promise.all above filled `out` in completion order.
  return Object.fromEntries(Object.keys(inputs).map((k) => [k, out[k]!]));
}

/** `DAGQ_PARENT_STATES` of an `always`/`all_settled` task: from the message or its blob. */
export async function resolveParentStates(
  msg: TaskMessage,
  blobs: BlobStore,
): Promise<Record<string, string> | undefined> {
  if (msg.parent_states_ref)
    return readJson(blobs, msg.parent_states_ref, ParentStates, "parent states");
  return msg.parent_states;
}

/** An instance's place and item (DAGQ_MAP_INDEX, DAGQ_MAP_ITEM): from the message or its blob. */
export async function resolveMapItem(
  msg: TaskMessage,
  blobs: BlobStore,
): Promise<{ index: number; item: Json } | undefined> {
  if (msg.map_index === undefined) return undefined;
  const item = msg.map_item_ref
    ? await readJson(blobs, msg.map_item_ref, Output, "map item")
    : (msg.map_item ?? null);
  return { index: msg.map_index, item: item as Json };
}

async function readJson<S extends z.ZodType>(
  blobs: BlobStore,
  path: string,
  schema: S,
  what: string,
): Promise<z.output<S>> {
  const value = await readJsonBlob(blobs, path, schema);
  if (value === null) throw new Error(`${what} is stored in blob ${path}, which does not exist`);
  return value;
}
