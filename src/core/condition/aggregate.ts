import { assertNever } from "../errors.js";
import type { Json } from "../json.js";
import type { Aggregate } from "./ast.js";
import { typeName } from "./values.js";

/**
 * The result of an aggregate, or why it cannot be computed (the caller adds the path, and the
 * task at `index` when the list came from a glob).
 */
export type AggregateResult =
  | { readonly ok: true; readonly value: Json }
  | { readonly ok: false; readonly error: string; readonly index?: number };

// Plain loops throughout: Math.min(...list) would overflow the stack on a huge output list.
export function aggregate(fn: Aggregate, arg: Json): AggregateResult {
  if (!Array.isArray(arg)) return { ok: false, error: `${fn} needs a list, got ${typeName(arg)}` };
  const list: readonly Json[] = arg;
  switch (fn) {
    case "all":
    case "any":
    case "count": {
      let trues = 0;
      for (let i = 0; i < list.length; i++) {
        const v = list[i];
        if (typeof v !== "boolean") return notA(fn, "true/false values", v, i);
        if (v) trues++;
      }
      const value = fn === "count" ? trues : fn === "all" ? trues === list.length : trues > 0;
      return { ok: true, value };
    }
    case "min":
    case "max":
    case "sum":
    case "avg": {
      if (list.length === 0 && fn !== "sum") {
        return { ok: false, error: `${fn} of an empty list` };
      }
      let acc =
        fn === "min" ? Number.POSITIVE_INFINITY : fn === "max" ? Number.NEGATIVE_INFINITY : 0;
      for (let i = 0; i < list.length; i++) {
        const v = list[i];
        if (typeof v !== "number") return notA(fn, "numbers", v, i);
        acc = fn === "min" ? Math.min(acc, v) : fn === "max" ? Math.max(acc, v) : acc + v;
      }
      return { ok: true, value: fn === "avg" ? acc / list.length : acc };
    }
    default:
      return assertNever(fn, "aggregate");
  }
}

function notA(fn: Aggregate, what: string, v: unknown, i: number): AggregateResult {
  return {
    ok: false,
    error: `${fn} needs a list of ${what}, got ${typeName(v)} at index ${i}`,
    index: i,
  };
}
