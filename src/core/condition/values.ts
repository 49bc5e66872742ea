import type { Json } from "../json.js";

export type JsonObject = { readonly [k: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The JSON type of a value, as reasons show it; outputs are not trusted to be real JSON. */
export function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  switch (typeof v) {
    case "boolean":
    case "number":
    case "string":
    case "object":
      return typeof v;
    default:
      return `non-JSON ${typeof v}`;
  }
}

/**
 * Deep JSON equality: no coercion, object key order ignored, only own keys.
 * Iterative, so a hostile output nested a million levels deep cannot overflow the stack.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  const pending: unknown[] = [a, b];
  while (pending.length > 0) {
    const y = pending.pop();
    const x = pending.pop();
    if (x === y) continue;
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) pending.push(x[i], y[i]);
    } else if (isObject(x) && isObject(y)) {
      const keys = Object.keys(x);
      if (keys.length !== Object.keys(y).length) return false;
      for (const k of keys) {
        if (!Object.hasOwn(y, k)) return false;
        pending.push(x[k], y[k]);
      }
    } else {
      return false;
    }
  }
  return true;
}
