import { z } from "zod";
import { poisonQueueOf } from "../storage/layout.js";
import { MAX_QUEUE_MESSAGE_BYTES, type QueueStore } from "../storage/ports.js";

/**
 * What dagq writes to a poison queue when it sets a message aside itself: a malformed
 * completion or control message, a task message no worker can parse, or a message that failed
 * with an error retrying cannot cure. One JSON object, documented in docs/protocol.md. To retry
 * the message once its cause is fixed, send `message` back to `source_queue`.
 *
 * (A message that failed `maxDequeueCount` times is moved by the Functions host itself, and the
 * local host does as Azure does: it copies the message text unchanged, with no record around it.)
 */
export const PoisonRecordSchema = z.strictObject({
  /** Why the message was set aside. */
  reason: z.string(),
  /** The queue the message came from. */
  source_queue: z.string(),
  /** The message as it was sent; cut at the end when the record would not fit a message. */
  message: z.string(),
  /** Present and true when `message` (or `reason`) was cut to fit the 64 KiB queue limit. */
  truncated: z.literal(true).optional(),
  /** When it was set aside (ISO 8601, UTC). */
  at: z.iso.datetime(),
});
export type PoisonRecord = z.infer<typeof PoisonRecordSchema>;

/** A reason longer than this is cut first: the message matters more than a long reason. */
const MAX_REASON_BYTES = 4096;

/**
 * The record as queue message text, at most MAX_QUEUE_MESSAGE_BYTES of UTF-8 however long or
 * wide (multi-byte, or escaped by JSON) the message and reason are: an oversized record would be
 * refused by the queue, and the message it was meant to keep would be lost with it.
 */
export function poisonRecordText(input: {
  readonly reason: string;
  readonly sourceQueue: string;
  readonly message: string;
  readonly now: number;
}): string {
  const record = (reason: string, message: string): PoisonRecord => ({
    reason,
    source_queue: input.sourceQueue,
    message,
    ...(reason !== input.reason || message !== input.message ? { truncated: true as const } : {}),
    at: new Date(input.now).toISOString(),
  });
  const fits = (r: PoisonRecord) => Buffer.byteLength(JSON.stringify(r)) <= MAX_QUEUE_MESSAGE_BYTES;
  const whole = record(input.reason, input.message);
  if (fits(whole)) return JSON.stringify(whole);
  const reason = prefixFitting(input.reason, (s) => Buffer.byteLength(s) <= MAX_REASON_BYTES);
  const message = prefixFitting(input.message, (s) => fits(record(reason, s)));
  return JSON.stringify(record(reason, message));
}

/**
 * The longest prefix of `text` for which `ok` holds (binary search; `ok` must hold for shorter
 * prefixes whenever it holds for a longer one), never splitting a surrogate pair.
 */
function prefixFitting(text: string, ok: (prefix: string) => boolean): string {
  const cut = (n: number) => {
    const end = n > 0 && n < text.length && isHighSurrogate(text.charCodeAt(n - 1)) ? n - 1 : n;
    return text.slice(0, end);
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ok(cut(mid))) lo = mid;
    else hi = mid - 1;
  }
  return cut(lo);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Sets a message aside in its queue's poison queue (created if need be) with the reason.
 * Returns the poison queue's name.
 */
export async function sendToPoison(
  queues: QueueStore,
  input: { readonly sourceQueue: string; readonly message: string; readonly reason: string },
  now: number,
): Promise<string> {
  const target = poisonQueueOf(input.sourceQueue);
  await queues.ensure(target);
  await queues.send(target, poisonRecordText({ ...input, now }));
  return target;
}
