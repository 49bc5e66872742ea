import { describe, expect, it } from "vitest";
import { MAX_MESSAGE_BYTES } from "../../src/protocol/messages.js";
import { MAX_PACK_TASKS, packTexts, unpackTexts } from "../../src/protocol/taskPack.js";

const task = (k: number, pad = 0) =>
  JSON.stringify({ v: 1, task: `t${k}`, command: "x".repeat(pad), env: {} });

describe("task packs", () => {
  it("a lone task travels as a plain task message", () => {
    expect(packTexts([task(1)], 8)).toEqual([task(1)]);
    expect(unpackTexts(task(1))).toEqual([task(1)]);
  });

  it("packs hold at most the asked number of tasks, in order, and unpack to the same texts", () => {
    const texts = Array.from({ length: 10 }, (_, k) => task(k));
    const packs = packTexts(texts, 4);
    expect(packs.map((p) => unpackTexts(p).length)).toEqual([4, 4, 2]);
    expect(packs.flatMap(unpackTexts)).toEqual(texts);
    for (const p of packs) expect(JSON.parse(p)).toMatchObject({ v: 1 });
  });

  it("1 (or less) turns packing off", () => {
    const texts = [task(1), task(2)];
    expect(packTexts(texts, 1)).toEqual(texts);
    expect(packTexts(texts, 0)).toEqual(texts);
  });

  it("a pack stays within the message limit: a task that would not fit starts the next", () => {
    const texts = Array.from({ length: 7 }, (_, k) => task(k, 15_000));
    const packs = packTexts(texts, 32);
    for (const p of packs) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(packs.map((p) => unpackTexts(p).length)).toEqual([3, 3, 1]);
    expect(packs.flatMap(unpackTexts)).toEqual(texts);
    // Multi-byte text is counted in bytes, not characters.
    const wide = Array.from({ length: 4 }, (_, k) =>
      JSON.stringify({ task: `w${k}`, command: "é".repeat(9_000) }),
    );
    for (const p of packTexts(wide, 32))
      expect(Buffer.byteLength(p)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });

  it("at most MAX_PACK_TASKS per pack, whatever is asked", () => {
    const texts = Array.from({ length: MAX_PACK_TASKS + 1 }, () => "{}");
    expect(packTexts(texts, 10_000).map((p) => unpackTexts(p).length)).toEqual([MAX_PACK_TASKS, 1]);
  });

  it("anything that is not a well-formed pack is one message, left for the worker to judge", () => {
    for (const text of [
      "not json",
      "[1,2]",
      "null",
      '"a string"',
      '{"pack":"x"}',
      '{"pack":[]}',
      '{"pack":{"0":{}}}',
      `{"pack":[${Array.from({ length: MAX_PACK_TASKS + 1 }, () => "{}").join(",")}]}`,
      '{"__proto__":{"pack":[{},{}]}}',
    ])
      expect(unpackTexts(text), text.slice(0, 40)).toEqual([text]);
  });

  it("a pack's members come out one by one, whatever they are", () => {
    expect(unpackTexts('{"v":1,"pack":[1,null,{"__proto__":{"x":1}},"s",[[]]]}')).toEqual([
      "1",
      "null",
      '{"__proto__":{"x":1}}',
      '"s"',
      "[[]]",
    ]);
  });
});
