import { z } from "zod";
import { MAX_MESSAGE_BYTES, PROTOCOL_VERSION, TaskMessageSchema } from "./messages.js";
import { decodeQueuePayload } from "./queuePayload.js";

/**
 * Several task messages of one queue in one queue message: `{"v":1,"pack":[task, ...]}`.
 * Every message costs a send, a receive and a delete whatever it holds, so tasks that become
 * ready together travel together (issue 15: about 1 request per task instead of 3). A pack of
 * one is never made: a lone task travels as a plain task message, as before packs existed.
 * A worker runs as many of a pack's tasks as it has free slots and sends the rest back as a
 * pack of their own, so no task waits behind a slow one (docs/protocol.md).
 */
export const MAX_PACK_TASKS = 256;

export const TaskPackSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  pack: z.array(TaskMessageSchema).min(2).max(MAX_PACK_TASKS),
});

const PACK_HEAD = `{"v":${PROTOCOL_VERSION},"pack":[`;
const PACK_TAIL = "]}";

/** A pack's text from task messages' texts (each already valid JSON). */
export function packText(texts: readonly string[]): string {
  return texts.length === 1 ? texts[0]! : `${PACK_HEAD}${texts.join(",")}${PACK_TAIL}`;
}

/**
 * Task texts in queue messages, in order: packs of at most `maxTasks` tasks and
 * MAX_MESSAGE_BYTES bytes (greedy: a pack closes when the next task would not fit).
 */
export function packTexts(texts: readonly string[], maxTasks: number): string[] {
  const per = Math.max(1, Math.min(Math.floor(maxTasks), MAX_PACK_TASKS));
  if (per === 1) return [...texts];
  const out: string[] = [];
  let pack: string[] = [];
  let bytes = PACK_HEAD.length + PACK_TAIL.length;
  for (const text of texts) {
    const size = Buffer.byteLength(text) + 1; // and its comma
    if (pack.length > 0 && (pack.length === per || bytes + size > MAX_MESSAGE_BYTES)) {
      out.push(packText(pack));
      pack = [];
      bytes = PACK_HEAD.length + PACK_TAIL.length;
    }
    pack.push(text);
    bytes += size;
  }
  if (pack.length > 0) out.push(packText(pack));
  return out;
}

/**
 * The task texts a queue message holds: the pack's members, or the message itself when it is
 * not a pack (a plain task message, or something malformed, which the worker then rejects as
 * it stands). A pack's members are validated one by one by the worker, so one bad member
 * never sinks the others.
 */
export function unpackTexts(text: string): string[] {
  const payload = decodeQueuePayload(text);
  if (!payload.json) return [text];
  const v = payload.value;
  if (typeof v !== "object" || v === null || !Object.hasOwn(v, "pack")) return [text];
  const pack = (v as { pack: unknown }).pack;
  if (!Array.isArray(pack) || pack.length === 0 || pack.length > MAX_PACK_TASKS) return [text];
  return pack.map((member) => JSON.stringify(member) ?? "null");
}
