import { z } from "zod";

/** A JSON value as it travels in outputs, inputs and wire messages. */
export type Json =
  | null
  | boolean
  | number
  | string
  | readonly Json[]
  | { readonly [k: string]: Json };

/**
 * Why `value` is not a JSON value dagq accepts as an output (or undefined when it is): only
 * JSON types, finite numbers, and at most `maxDepth` levels of nesting. Iterative: an output
 * nested thousands of levels deep must be rejected with a reason, not overflow the stack.
 */
export function jsonIssue(value: unknown, maxDepth: number): string | undefined {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v === "string" || typeof v === "boolean") continue;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) return `${v} is not a JSON number`;
      continue;
    }
    if (typeof v !== "object") return `a ${typeof v} is not a JSON value`;
    if (depth > maxDepth) return `it is nested more than ${maxDepth} levels deep`;
    const items = Array.isArray(v) ? v : Object.values(v);
    for (const item of items) stack.push([item, depth + 1]);
  }
  return undefined;
}

/**
 * A zod schema for a JSON value taken as data: passed through as is, not rebuilt. zod's own
 * `z.json()` rebuilds objects (dropping `__proto__` keys, which a parsed output may hold as an
 * own key) and recurses (a few thousand levels of nesting overflow the stack); this checks
 * iteratively and keeps every key. Used wherever outputs cross a boundary.
 */
export function jsonValue(maxDepth: number): z.ZodType<Json> {
  return z.unknown().superRefine((v, ctx) => {
    const issue = jsonIssue(v, maxDepth);
    if (issue !== undefined)
      ctx.addIssue({ code: "custom", message: `not valid JSON data: ${issue}` });
  }) as unknown as z.ZodType<Json>;
}
