import { describe, expect, it } from "vitest";
import { payloadText } from "../../src/protocol/queuePayload.js";

describe("payloadText", () => {
  it("keeps text as it is and serializes a parsed message", () => {
    expect(payloadText('{"v":1}')).toBe('{"v":1}');
    expect(payloadText({ v: 1, __proto__x: [1] })).toBe('{"v":1,"__proto__x":[1]}');
  });

  it("keeps a parsed message nested deeper than JSON.stringify reaches to 64 levels, without throwing", () => {
    // As the host hands it over: parsed from text that had no depth limit.
    const parsed = JSON.parse(`${'{"a":'.repeat(25_000)}1${"}".repeat(25_000)}`);
    const text = payloadText({ v: 1, completions: [{ output: parsed }] });
    expect(text.startsWith('{"v":1,"completions":[{"output":{"a":{"a":')).toBe(true);
    expect(text).toContain('"[dagq: nested deeper, cut]"');
    expect(text.length).toBeLessThan(1000);
  });
});
