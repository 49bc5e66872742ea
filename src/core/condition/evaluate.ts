import { assertNever } from "../errors.js";
import type { Json } from "../json.js";
import { access } from "./access.js";
import { aggregate } from "./aggregate.js";
import type { Condition, ConditionNode } from "./ast.js";
import { compare } from "./compare.js";
import { Failure, fail } from "./failure.js";
import { matchGlob } from "./glob.js";
import { map, PER_TASK, plain, single, TWO_GLOBS, type Value, WRAP_HINT } from "./projection.js";
import { inOutputOf, quote } from "./text.js";
import { typeName } from "./values.js";

export type ConditionResult =
  | { readonly ok: true; readonly value: boolean }
  | { readonly ok: false; readonly reason: string };

const WRAP = `${PER_TASK}: ${WRAP_HINT}`;

/** `inputs` holds the outputs of the direct dependencies that COMPLETED, keyed by task name, in
 *  the order of depends_on (a completed task that set no output maps to null). A glob's values
 *  follow that order. `params`: the workflow's parameters. Never throws. */
export function evaluateCondition(
  cond: Condition,
  inputs: ReadonlyMap<string, Json>,
  params: Readonly<Record<string, Json>> = {},
): ConditionResult {
  return guarded(() => {
    const value = new Evaluator(inputs, params).evaluate(cond.ast);
    if (value.proj) return fail(cond.ast, `a condition must be true or false, got ${WRAP}`);
    if (typeof value.v === "boolean") return { ok: true, value: value.v };
    return fail(cond.ast, `a condition must be true or false, got ${typeName(value.v)}`);
  });
}

export type ExpressionResult =
  | { readonly ok: true; readonly value: Json }
  | { readonly ok: false; readonly reason: string };

/**
 * Evaluates an expression of the condition language to a JSON value rather than true or false
 * (a task's `map`): the same inputs, params and rules; a glob's values come out as a plain
 * list, in the order of the inputs. Never throws.
 */
export function evaluateExpression(
  cond: Condition,
  inputs: ReadonlyMap<string, Json>,
  params: Readonly<Record<string, Json>> = {},
): ExpressionResult {
  return guarded(() => ({
    ok: true,
    value: plain(new Evaluator(inputs, params).evaluate(cond.ast)),
  }));
}

/** Runs an evaluation; what it throws becomes the reason it could not be evaluated. */
function guarded<R>(evaluate: () => R): R | { readonly ok: false; readonly reason: string } {
  try {
    return evaluate();
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

/** One evaluation: the inputs, and the glob matches, computed once per pattern. */
class Evaluator {
  private names: readonly string[] | undefined;
  private readonly globs = new Map<string, readonly string[]>();

  constructor(
    private readonly inputs: ReadonlyMap<string, Json>,
    private readonly params: Readonly<Record<string, Json>>,
  ) {}

  evaluate(node: ConditionNode): Value {
    switch (node.kind) {
      case "literal":
        return single(node.value);
      case "list":
        return single(node.items.map((item) => plain(this.evaluate(item))));
      case "input": {
        if (node.ref.kind === "glob") {
          const items = this.matches(node.ref.pattern).map((task) => ({
            task,
            v: this.inputs.get(task) ?? null,
          }));
          return { proj: true, items };
        }
        const v = this.inputs.get(node.ref.name);
        if (v === undefined && !this.inputs.has(node.ref.name)) {
          return fail(node, `dependency ${quote(node.ref.name, 80)} did not complete`);
        }
        return single(v ?? null);
      }
      case "param":
        // Checked at submission; a definition compiled without its parameters lacks them.
        if (!Object.hasOwn(this.params, node.name))
          return fail(node, `no parameter ${quote(node.name, 80)}`);
        return single(this.params[node.name] as Json);
      case "member":
      case "index":
        return this.access(node);
      case "call": {
        const arg = this.evaluate(node.arg);
        const result = aggregate(node.fn, plain(arg));
        if (result.ok) return single(result.value);
        const task =
          arg.proj && result.index !== undefined ? arg.items[result.index]?.task : undefined;
        return fail(node, `${result.error}${inOutputOf(task)}`);
      }
      case "not":
        return map(this.evaluate(node.operand), (v, task) =>
          typeof v === "boolean"
            ? !v
            : fail(node.operand, `not needs true or false, got ${typeName(v)}${inOutputOf(task)}`),
        );
      case "neg":
        return map(this.evaluate(node.operand), (v, task) =>
          typeof v === "number"
            ? -v
            : fail(node, `unary - needs a number, got ${typeName(v)}${inOutputOf(task)}`),
        );
      case "logical": {
        // Short-circuit: the right side is neither evaluated nor type-checked when the left decides.
        const left = this.bool(node.left, node.op);
        if (node.op === "and" ? !left : left) return single(left);
        return single(this.bool(node.right, node.op));
      }
      case "compare": {
        // Both sides are evaluated before any element is compared, so every element is checked.
        const left = this.evaluate(node.left);
        const right = this.evaluate(node.right);
        if (left.proj && right.proj) return fail(node, TWO_GLOBS);
        if (right.proj) {
          const l = plain(left);
          return map(right, (r, task) => compare(node, node.op, l, r, task));
        }
        const r = right.v;
        return map(left, (l, task) => compare(node, node.op, l, r, task));
      }
      default:
        return assertNever(node, "condition node");
    }
  }

  private bool(node: ConditionNode, op: string): boolean {
    const value = this.evaluate(node);
    if (value.proj) return fail(node, `${op} needs true or false, got ${WRAP}`);
    if (typeof value.v === "boolean") return value.v;
    return fail(node, `${op} needs true or false, got ${typeName(value.v)}`);
  }

  private access(node: ConditionNode & { kind: "member" | "index" }): Value {
    const object = this.evaluate(node.object);
    const keyValue = node.kind === "member" ? single(node.name) : this.evaluate(node.index);
    if (keyValue.proj) return fail(node, `an index must be a string or a number, got ${PER_TASK}`);
    const key = keyValue.v;
    if (typeof key !== "string" && typeof key !== "number") {
      return fail(node, `an index must be a string or a number, got ${typeName(key)}`);
    }
    // At the root, a missing field names the task that lacks it; deeper, where it was looked for.
    const root = node.object.kind === "input" ? node.object.ref : undefined;
    if (!object.proj) {
      const owner = root?.kind === "name" ? root.name : undefined;
      return single(access(node, object.v, key, owner));
    }
    return map(object, (v, task) =>
      root ? access(node, v, key, task) : access(node, v, key, undefined, task),
    );
  }

  /** A condition may repeat a glob, and a fan-in may have thousands of inputs: match once. */
  private matches(pattern: string): readonly string[] {
    let names = this.globs.get(pattern);
    if (names === undefined) {
      this.names ??= [...this.inputs.keys()];
      names = matchGlob(pattern, this.names);
      this.globs.set(pattern, names);
    }
    return names;
  }
}
