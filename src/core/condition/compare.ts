import { assertNever } from "../errors.js";
import type { Json } from "../json.js";
import type { CompareOp, ConditionNode } from "./ast.js";
import { fail } from "./failure.js";
import { inOutputOf } from "./text.js";
import { deepEqual, isObject, typeName } from "./values.js";

/**
 * Comparison and membership, strictly typed: no coercion between numbers, strings and booleans.
 * `inTask` names the task whose value this is when the comparison maps over a glob.
 */
export function compare(
  node: ConditionNode,
  op: CompareOp,
  l: Json,
  r: Json,
  inTask?: string,
): boolean {
  switch (op) {
    case "==":
      return deepEqual(l, r);
    case "!=":
      return !deepEqual(l, r);
    case "<":
    case "<=":
    case ">":
    case ">=":
      if (
        (typeof l === "number" && typeof r === "number") ||
        (typeof l === "string" && typeof r === "string")
      ) {
        return op === "<" ? l < r : op === "<=" ? l <= r : op === ">" ? l > r : l >= r;
      }
      return fail(
        node,
        `${op} needs two numbers or two strings, got ${typeName(l)} and ${typeName(r)}${inOutputOf(inTask)}`,
      );
    case "in":
    case "not in":
      return contains(node, op, l, r, inTask) === (op === "in");
    default:
      return assertNever(op, "comparison");
  }
}

function contains(
  node: ConditionNode,
  op: CompareOp,
  l: Json,
  r: Json,
  inTask: string | undefined,
): boolean {
  if (Array.isArray(r)) {
    const list: readonly Json[] = r;
    for (const item of list) if (deepEqual(l, item)) return true;
    return false;
  }
  const suffix = inOutputOf(inTask);
  if (typeof r === "string" || isObject(r)) {
    if (typeof l !== "string") {
      return fail(
        node,
        `${op} needs a string on the left of a ${typeName(r)}, got ${typeName(l)}${suffix}`,
      );
    }
    return typeof r === "string" ? r.includes(l) : Object.hasOwn(r, l);
  }
  return fail(
    node,
    `${op} needs a list, a string or an object on the right, got ${typeName(r)}${suffix}`,
  );
}
