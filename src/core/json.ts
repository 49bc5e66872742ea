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
