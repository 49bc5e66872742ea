import { z } from "zod";
import { type Json, jsonValue, LIMITS, RunTaskNameSchema, TASK_STATES } from "../core/index.js";
import { decodeQueuePayload } from "./queuePayload.js";

/**
 * The wire protocol between the coordinator and workers, version 1. Messages are UTF-8 JSON,
 * not base64 (host.json sets `messageEncoding: none`), at most 48 KiB each so that they fit a
 * storage-queue message under any encoding. Published as JSON Schema for workers in other
 * languages (see docs/protocol.md).
 */
export const PROTOCOL_VERSION = 1;
export const MAX_MESSAGE_BYTES = 48 * 1024;

const WorkflowId = z.string().regex(/^[a-z0-9][a-z0-9-]{2,62}$/, "not a dagq workflow id");
const Attempt = z.int().min(1).max(1000);

/** Where a large output or input set lives instead of inline: a blob in the deployment's container. */
export const OutputRefSchema = z.strictObject({
  $dagq: z.literal("output-ref"),
  path: z.string().min(1).max(1024),
  bytes: z.int().min(0),
});
export type OutputRef = z.infer<typeof OutputRefSchema>;

export function isOutputRef(v: unknown): v is OutputRef {
  return typeof v === "object" && v !== null && (v as { $dagq?: unknown }).$dagq === "output-ref";
}

const OutputSchema = jsonValue(LIMITS.maxOutputDepth).meta({
  description: `any JSON value, at most ${LIMITS.maxOutputDepth} levels deep`,
});
/** Parents' outputs by name: one more level than an output. */
const InputsSchema = (
  jsonValue(LIMITS.maxOutputDepth + 1).refine(
    (v) => typeof v === "object" && v !== null && !Array.isArray(v),
    "inputs must be an object of outputs by parent name",
  ) as unknown as z.ZodType<Record<string, Json>>
).meta({ type: "object", description: "the outputs of the parents that completed, by name" });

export const TaskMessageSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  workflow_id: WorkflowId,
  /** The task's name; `name[k]` for the k-th instance of a mapped task. */
  task: RunTaskNameSchema,
  attempt: Attempt,
  command: z.string(),
  env: z.record(z.string(), z.string()),
  timeout_s: z.number().positive().max(LIMITS.maxTimeoutS).nullable(),
  /** The direct parents' outputs that completed, keyed by name; large ones as output refs. */
  inputs: InputsSchema.optional(),
  /** Set instead of `inputs` when they would not fit the message: a blob holding that object. */
  inputs_ref: z.string().optional(),
  /** For `always` and `all_settled` tasks: every direct parent's state, by name. */
  parent_states: z.record(RunTaskNameSchema, z.enum(TASK_STATES)).optional(),
  /** Set instead of `parent_states` when they would not fit: a blob holding that object. */
  parent_states_ref: z.string().optional(),
  /** The workflow's parameters (name → value), when it has any: DAGQ_PARAMS, DAGQ_PARAM_<name>. */
  params: z.record(z.string(), jsonValue(LIMITS.maxOutputDepth)).optional(),
  /** For an instance of a map: its index in the map's list (DAGQ_MAP_INDEX, from 0). */
  map_index: z
    .int()
    .min(0)
    .max(LIMITS.maxMapItems - 1)
    .optional(),
  /** With `map_index`: the instance's item (DAGQ_MAP_ITEM), any JSON. */
  map_item: jsonValue(LIMITS.maxOutputDepth).optional(),
  /** Set instead of `map_item` when it would not fit the message: a blob holding that JSON. */
  map_item_ref: z.string().optional(),
  /** Where to send started/completed/failed reports. */
  completion_queue: z.string(),
  /** A small blob the worker polls while the task runs, to learn of cancellation. */
  signals_blob: z.string(),
});
export type TaskMessage = z.infer<typeof TaskMessageSchema>;

const Base = {
  workflow_id: WorkflowId,
  task: RunTaskNameSchema,
  attempt: Attempt,
  worker: z.string().max(200).optional(),
  /**
   * When it happened by the worker's clock, in ms since the epoch: the command's start for
   * `started`, its end for the others. The coordinator keeps it within what it knows (after the
   * dispatch, not after the report arrived), so a skewed clock cannot move a task's times far.
   */
  at: z.int().min(0).optional(),
};

export const CompletionSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("started"), ...Base }),
  z.strictObject({
    kind: z.literal("completed"),
    ...Base,
    /** The task's JSON output; a large one is spilled by the worker and sent as a ref. */
    output: OutputSchema.optional(),
  }),
  z.strictObject({
    kind: z.literal("failed"),
    ...Base,
    error: z.string().max(4096),
    exit_code: z.int().nullable().optional(),
  }),
]);
export type Completion = z.infer<typeof CompletionSchema>;

/**
 * A completion message: one or many reports, possibly of several workflows. Items are checked
 * one by one (see parseCompletionMessage), hence `unknown` here.
 */
export const CompletionMessageSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  completions: z.array(z.unknown()).min(1).max(1000),
});

/** The same message as workers must write it: what the published JSON Schema describes. */
export const CompletionMessageWireSchema = CompletionMessageSchema.extend({
  completions: z.array(CompletionSchema).min(1).max(1000),
});

/**
 * Splits a completion message, as a queue trigger receives it (parsed by the host, or text),
 * into valid completions and rejected ones, each with the reason: one malformed report must not
 * sink the valid ones travelling with it. The payload is decoded once and the parsed value
 * validated; nothing is re-serialized.
 */
export function parseCompletionMessage(message: unknown): {
  valid: Completion[];
  rejected: Array<{ item: unknown; reason: string }>;
} {
  const payload = decodeQueuePayload(message);
  if (!payload.json) {
    return {
      valid: [],
      rejected: [{ item: payload.text.slice(0, 200), reason: `not JSON: ${payload.error}` }],
    };
  }
  const outer = CompletionMessageSchema.safeParse(payload.value);
  if (!outer.success)
    return { valid: [], rejected: [{ item: payload.value, reason: z.prettifyError(outer.error) }] };
  const valid: Completion[] = [];
  const rejected: Array<{ item: unknown; reason: string }> = [];
  outer.data.completions.forEach((item, k) => {
    const r = CompletionSchema.safeParse(item);
    if (r.success) valid.push(r.data);
    else rejected.push({ item, reason: `completions[${k}]: ${z.prettifyError(r.error)}` });
  });
  return { valid, rejected };
}
