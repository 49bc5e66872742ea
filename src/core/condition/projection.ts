import type { Json } from "../json.js";

/** One task's value in a projection: the task is kept so a reason can name it. */
export interface Item {
  readonly task: string;
  readonly v: Json;
}

/**
 * What an expression evaluates to: one value, or a projection: one value per completed
 * dependency a glob matched, in the order of the inputs. Member and index access, comparisons,
 * `not` and unary `-` map over a projection's items; aggregates consume it; a list literal
 * holds it as a plain list; anything needing a single true or false refuses it.
 */
export type Value =
  | { readonly proj: false; readonly v: Json }
  | { readonly proj: true; readonly items: readonly Item[] };

export const single = (v: Json): Value => ({ proj: false, v });

export const plain = (value: Value): Json =>
  value.proj ? value.items.map((item) => item.v) : value.v;

/** Applies `f` to each item, or to the single value (with no task). */
export function map(value: Value, f: (v: Json, task: string | undefined) => Json): Value {
  if (!value.proj) return single(f(value.v, undefined));
  return { proj: true, items: value.items.map(({ task, v }) => ({ task, v: f(v, task) })) };
}

/** How reasons and static problems name a projection where a single value was needed. */
export const PER_TASK = "one value per task of a glob";
export const WRAP_HINT = "wrap it in all(...), any(...) or count(...)";
export const TWO_GLOBS =
  "cannot compare two globs element by element: compare one with a single value, or aggregate each first";
