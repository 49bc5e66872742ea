import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeKey, encodeKey, prefixUpperBound } from "../../src/azure/tableKey.js";

/** Strings rich in the characters the codec treats specially, plus ordinary ones. */
const special = fc.constantFrom(
  ..."\u0000\u0001\u001f \"#./>?[\\~\u007f\u0085\u009f\u00a0AZaz09-_'%é😀".split(""),
);
const key = fc
  .array(fc.oneof(special, fc.string({ minLength: 1, maxLength: 1 })), { maxLength: 12 })
  .map((cs) => cs.join(""));
/** Azure's forbidden key characters: / \ # ? and the C0 and C1 control ranges. */
const forbidden = (k: string) =>
  [...k].some((c) => {
    const code = c.charCodeAt(0);
    return "/\\#?".includes(c) || code <= 0x1f || (code >= 0x7f && code <= 0x9f);
  });

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe("table key codec", () => {
  it("round-trips and never emits a character Azure forbids in keys", () => {
    fc.assert(
      fc.property(key, (k) => {
        const encoded = encodeKey(k);
        expect(forbidden(encoded)).toBe(false);
        expect(decodeKey(encoded)).toBe(k);
      }),
    );
  });

  it("preserves order", () => {
    fc.assert(
      fc.property(key, key, (a, b) => {
        expect(cmp(encodeKey(a), encodeKey(b))).toBe(cmp(a, b));
      }),
    );
  });

  it("preserves prefixes both ways", () => {
    fc.assert(
      fc.property(key, key, (p, s) => {
        expect(encodeKey(s).startsWith(encodeKey(p))).toBe(s.startsWith(p));
        expect(encodeKey(p + s).startsWith(encodeKey(p))).toBe(true);
      }),
    );
  });

  it("a prefix range [encode(p), upperBound) holds exactly the keys starting with p", () => {
    fc.assert(
      fc.property(key, key, (p, s) => {
        const low = encodeKey(p);
        const high = prefixUpperBound(low);
        const e = encodeKey(s);
        const inRange = e >= low && (high === undefined || e < high);
        expect(inRange).toBe(s.startsWith(p));
      }),
    );
  });

  it("keeps plain task names readable", () => {
    expect(encodeKey("prep_featurize-2")).toBe("prep_featurize-2");
    expect(encodeKey("train/rf")).toBe("train.Brf");
    expect(encodeKey("v1.2")).toBe("v1.A2");
    expect(prefixUpperBound("ab")).toBe("ac");
    expect(prefixUpperBound("a\uffff")).toBe("b");
    expect(prefixUpperBound("\uffff")).toBeUndefined();
    expect(() => decodeKey("a.Zb")).toThrow(/not an encoded table key/);
  });
});
