import { z } from "zod";
import { toError } from "../toError.js";

/**
 * A queue message's payload, decoded once. The Functions host hands a trigger a JSON message
 * already parsed (and the local host does the same); a message that is not JSON arrives as its
 * text, and other callers may pass the text or its bytes. Handlers validate the decoded value
 * with their schema; nothing parses, re-serializes and parses again.
 */
export type QueuePayload =
  | { readonly json: true; readonly value: unknown }
  | { readonly json: false; readonly text: string; readonly error: string };

export function decodeQueuePayload(message: unknown): QueuePayload {
  const text =
    typeof message === "string"
      ? message
      : message instanceof Uint8Array
        ? Buffer.from(message.buffer, message.byteOffset, message.byteLength).toString("utf8")
        : null;
  if (text === null) return { json: true, value: message };
  try {
    return { json: true, value: JSON.parse(text) };
  } catch (e) {
    return { json: false, text, error: toError(e).message };
  }
}

/** The payload decoded once and validated with `schema`; the reason names the path when not. */
export function parseQueuePayload<S extends z.ZodType>(
  message: unknown,
  schema: S,
):
  | { readonly ok: true; readonly value: z.output<S> }
  | { readonly ok: false; readonly reason: string } {
  const payload = decodeQueuePayload(message);
  if (!payload.json) return { ok: false, reason: `not JSON: ${payload.error}` };
  const parsed = schema.safeParse(payload.value);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, reason: z.prettifyError(parsed.error) };
}

/** The payload as the text that was sent: for a poison record, which keeps the original. */
export function payloadText(message: unknown): string {
  if (typeof message === "string") return message;
  if (message instanceof Uint8Array)
    return Buffer.from(message.buffer, message.byteOffset, message.byteLength).toString("utf8");
  try {
    return JSON.stringify(message) ?? String(message);
  } catch {
    // A message the host parsed for us may nest deeper than JSON.stringify's stack reaches
    // (its text had no such limit): kept to 64 levels, so that the poison record still says
    // what it was rather than failing the batch it came in.
    return JSON.stringify(cutDepth(message, 64));
  }
}

const CUT = "[dagq: nested deeper, cut]";

function cutDepth(value: unknown, depth: number): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (depth === 0) return CUT;
  if (Array.isArray(value)) return value.map((v) => cutDepth(v, depth - 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cutDepth(v, depth - 1)]));
}
