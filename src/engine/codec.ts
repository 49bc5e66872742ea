import { gunzipSync, gzipSync } from "node:zlib";

/** gzip level 1: the state is rewritten often, and level 1 already gets most of the ratio. */
export function packJson(value: unknown): Uint8Array {
  return gzipSync(JSON.stringify(value), { level: 1 });
}

export function unpackJson<T = unknown>(data: Uint8Array): T {
  return JSON.parse(gunzipSync(data).toString("utf8")) as T;
}

/**
 * Journal frames: a 4-byte big-endian length, then a gzip member. One append block carries one
 * frame, and an append is atomic, so a reader never sees half a frame; the length still guards
 * against a foreign or truncated blob.
 */
export function frame(value: unknown): Uint8Array {
  const body = packJson(value);
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

export function unframe<T = unknown>(data: Uint8Array): T[] {
  const out: T[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  while (at < data.length) {
    if (at + 4 > data.length) throw new Error(`journal frame header cut at byte ${at}`);
    const len = view.getUint32(at);
    if (at + 4 + len > data.length)
      throw new Error(`journal frame at byte ${at} runs past the end`);
    out.push(unpackJson<T>(data.subarray(at + 4, at + 4 + len)));
    at += 4 + len;
  }
  return out;
}
