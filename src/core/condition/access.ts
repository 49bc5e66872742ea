import type { Json } from "../json.js";
import type { ConditionNode } from "./ast.js";
import { fail } from "./failure.js";
import { inOutputOf, quote } from "./text.js";
import { isObject, typeName } from "./values.js";

/**
 * One field or element lookup. `owner` is set when `v` is a task's whole output, `inTask` when it
 * is deeper inside the output of a task a glob matched, so the reason can name the task.
 */
export function access(
  node: ConditionNode,
  v: Json,
  key: string | number,
  owner?: string,
  inTask?: string,
): Json {
  const suffix = inOutputOf(inTask);
  if (typeof key === "string") {
    if (isObject(v)) {
      // Own properties only: "__proto__" or "constructor" never reach the prototype chain, and
      // read as data where an output has them as its own keys (JSON.parse, null prototypes).
      const field = Object.hasOwn(v, key) ? v[key] : undefined;
      if (field !== undefined) return field;
      if (owner !== undefined)
        return fail(node, `task ${quote(owner, 80)} has no field ${quote(key, 80)}`);
      return fail(node, `no field ${quote(key, 80)}${suffix}`);
    }
    if (v === null && owner !== undefined) {
      return fail(node, `task ${quote(owner, 80)} has no output, so no field ${quote(key, 80)}`);
    }
    return fail(node, `cannot read field ${quote(key, 80)} of ${typeName(v)}${suffix}`);
  }
  if (!Array.isArray(v)) return fail(node, `cannot index ${typeName(v)} with a number${suffix}`);
  const list: readonly Json[] = v;
  if (!Number.isInteger(key)) return fail(node, `a list index must be a whole number, got ${key}`);
  const element = key >= 0 ? list[key] : undefined;
  if (element === undefined) {
    return fail(node, `index ${key} is out of range for a list of length ${list.length}${suffix}`);
  }
  return element;
}
