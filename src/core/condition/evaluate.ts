import { assertNever } from "../errors.js";
import type { Json } from "../json.js";
import { aggregate } from "./aggregate.js";
import type { Condition, ConditionNode } from "./ast.js";
import { compare } from "./compare.js";
import { Failure, fail } from "./failure.js";
import { matchGlob } from "./glob.js";
import { quote } from "./text.js";
import { isObject, typeName } from "./values.js";

export type ConditionResult =
  | { readonly ok: true; readonly value: boolean }
  | { readonly ok: false; readonly reason: string };

/**
 * A glob yields a projection: member and index access map over its elements, each remembering
 * the task it came from so a reason can say which one lacked the field.
 */
type Value =
  | { readonly proj: false; readonly v: Json }
  | { readonly proj: true; readonly items: readonly { readonly task: string; readonly v: Json }[] };

/** `inputs` holds the outputs of the direct dependencies that COMPLETED, keyed by task name, in
 *  definition order (a completed task that set no output maps to null). Never throws. */
export function evaluateCondition(
  cond: Condition,
  inputs: ReadonlyMap<string, Json>,
): ConditionResult {
  try {
    const v = plain(evaluate(cond.ast, inputs));
    if (typeof v === "boolean") return { ok: true, value: v };
    return fail(cond.ast, `a condition must be true or false, got ${typeName(v)}`);
  } catch (e) {
    if (e instanceof Failure) return { ok: false, reason: e.reason };
    // Reached only through outputs that are not real JSON (getters that throw, cycles, ...).
    return { ok: false, reason: `internal error: ${describe(e)}` };
  }
}

function describe(e: unknown): string {
  try {
    return e instanceof Error ? `${e.name}: ${e.message}` : typeName(e);
  } catch {
    return "unknown";
  }
}

const plain = (value: Value): Json => (value.proj ? value.items.map((item) => item.v) : value.v);
const single = (v: Json): Value => ({ proj: false, v });

function evaluate(node: ConditionNode, inputs: ReadonlyMap<string, Json>): Value {
  const sub = (child: ConditionNode) => plain(evaluate(child, inputs));
  const bool = (child: ConditionNode, op: string) => {
    const v = sub(child);
    return typeof v === "boolean"
      ? v
      : fail(child, `${op} needs true or false, got ${typeName(v)}`);
  };
  switch (node.kind) {
    case "literal":
      return single(node.value);
    case "list":
      return single(node.items.map(sub));
    case "input": {
      if (node.ref.kind === "glob") {
        const names = matchGlob(node.ref.pattern, [...inputs.keys()]);
        return { proj: true, items: names.map((task) => ({ task, v: inputs.get(task) ?? null })) };
      }
      const v = inputs.get(node.ref.name);
      if (v === undefined && !inputs.has(node.ref.name)) {
        return fail(node, `dependency ${quote(node.ref.name, 80)} did not complete`);
      }
      return single(v ?? null);
    }
    case "member":
    case "index": {
      const object = evaluate(node.object, inputs);
      const key = node.kind === "member" ? node.name : sub(node.index);
      if (typeof key !== "string" && typeof key !== "number") {
        return fail(node, `an index must be a string or a number, got ${typeName(key)}`);
      }
      const atRoot = node.object.kind === "input";
      if (!object.proj) {
        const owner = atRoot && node.object.ref.kind === "name" ? node.object.ref.name : undefined;
        return single(access(node, object.v, key, owner));
      }
      const items = object.items.map(({ task, v }) => ({
        task,
        v: atRoot ? access(node, v, key, task) : access(node, v, key, undefined, task),
      }));
      return { proj: true, items };
    }
    case "call": {
      const result = aggregate(node.fn, sub(node.arg));
      return result.ok ? single(result.value) : fail(node, result.error);
    }
    case "not":
      return single(!bool(node.operand, "not"));
    case "neg": {
      const v = sub(node.operand);
      return typeof v === "number"
        ? single(-v)
        : fail(node, `unary - needs a number, got ${typeName(v)}`);
    }
    case "logical": {
      // Short-circuit: the right side is neither evaluated nor type-checked when the left decides.
      const left = bool(node.left, node.op);
      if (node.op === "and" ? !left : left) return single(left);
      return single(bool(node.right, node.op));
    }
    case "compare":
      return single(compare(node, node.op, sub(node.left), sub(node.right)));
    default:
      return assertNever(node, "condition node");
  }
}

/**
 * One field or element lookup. `owner` is set when `v` is a task's whole output, `inTask` when it
 * is deeper inside the output of a task a glob matched, so the reason can name the task.
 */
function access(
  node: ConditionNode,
  v: Json,
  key: string | number,
  owner?: string,
  inTask?: string,
): Json {
  const suffix = inTask === undefined ? "" : ` (in the output of ${quote(inTask, 80)})`;
  if (typeof key === "string") {
    if (isObject(v)) {
      // Own properties only: "__proto__" or "constructor" never reach the prototype chain.
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
