import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseCompletionMessage } from "../../src/protocol/messages.js";
import { poisonRecordText } from "../../src/protocol/poison.js";
import { decodeQueuePayload } from "../../src/protocol/queuePayload.js";

/** docs/protocol.md: a poison record is one queue message, and a queue message is ≤ 64 KiB of UTF-8. */
const LIMIT = 64 * 1024;
const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

function record(message: string, reason = "malformed") {
  const text = poisonRecordText({ reason, sourceQueue: "p-completions", message, now: NOW });
  return { text, parsed: JSON.parse(text) as Record<string, unknown> };
}

afterEach(() => vi.restoreAllMocks());

describe("poison records", () => {
  it("hold the reason, the source queue, the original message and the time", () => {
    expect(record('{"v":1}').parsed).toEqual({
      reason: "malformed",
      source_queue: "p-completions",
      message: '{"v":1}',
      at: "2026-01-02T03:04:05.000Z",
    });
  });

  it.each([
    ["4-byte characters", "😀".repeat(20_000)],
    ["2-byte characters", "é".repeat(40_000)],
    ["characters JSON escapes to 6 bytes", "\u0001".repeat(60_000)],
    ["quotes and backslashes", '"\\'.repeat(30_000)],
    ["one byte over, in 3-byte characters", "€".repeat(21_846)],
  ])("fit 64 KiB of UTF-8 with %s, cutting the message at a character", (_, message) => {
    const { text, parsed } = record(message);
    expect(utf8Bytes(text)).toBeLessThanOrEqual(LIMIT);
    expect(utf8Bytes(text)).toBeGreaterThan(LIMIT - 16); // cut no more than it must
    expect(parsed.truncated).toBe(true);
    expect(message.startsWith(parsed.message as string)).toBe(true);
    expect(parsed.message as string).not.toMatch(/[\uD800-\uDBFF]$/);
  });

  it("cut a huge reason first, and keep the message whole when it then fits", () => {
    const { text, parsed } = record("short message", "why ".repeat(50_000));
    expect(utf8Bytes(text)).toBeLessThanOrEqual(LIMIT);
    expect(parsed.message).toBe("short message");
    expect(parsed.truncated).toBe(true);
    expect(utf8Bytes(parsed.reason as string)).toBeLessThanOrEqual(4096);
  });

  it("never exceed 64 KiB, whatever the text (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 40_000 }),
        fc.string({ unit: "binary", maxLength: 200 }),
        (piece, times, reason) => {
          const message = piece.repeat(times);
          const { text, parsed } = record(message, reason);
          expect(utf8Bytes(text)).toBeLessThanOrEqual(LIMIT);
          expect(message.startsWith(parsed.message as string)).toBe(true);
          expect(parsed.truncated === true).toBe(parsed.message !== message);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("queue payloads are decoded once", () => {
  it("a payload the host parsed already is validated as it is: no JSON round trip", () => {
    const message = {
      v: 1,
      completions: [{ kind: "started", workflow_id: "mwzdv4el-f00c3277ea", task: "a", attempt: 1 }],
    };
    parseCompletionMessage(structuredClone(message)); // zod compiles its checks on first use
    const parse = vi.spyOn(JSON, "parse");
    const stringify = vi.spyOn(JSON, "stringify");
    expect(parseCompletionMessage(message).valid).toHaveLength(1);
    expect(parse).not.toHaveBeenCalled();
    expect(stringify).not.toHaveBeenCalled();
  });

  it("text and bytes are parsed once; what is not JSON comes back as text with the error", () => {
    expect(decodeQueuePayload('{"a":1}')).toEqual({ json: true, value: { a: 1 } });
    expect(decodeQueuePayload(new TextEncoder().encode('{"a":1}'))).toEqual({
      json: true,
      value: { a: 1 },
    });
    expect(decodeQueuePayload("{nope")).toMatchObject({ json: false, text: "{nope" });
    expect(parseCompletionMessage("{nope").rejected[0]?.reason).toMatch(/^not JSON: /);
  });
});
