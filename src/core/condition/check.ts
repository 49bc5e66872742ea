import { assertNever } from "../errors.js";
import type { Aggregate, CompareOp, Condition, ConditionNode, LiteralValue } from "./ast.js";
import { reasonAt } from "./failure.js";
import { TWO_GLOBS, WRAP_HINT } from "./projection.js";
import { quote } from "./text.js";

/** What is known of a value before any output exists; an output's values are all `unknown`. */
type Shape = "bool" | "number" | "string" | "null" | "list" | "unknown";
/** `perTask`: one value of that shape per task a glob matched (a projection). */
interface Type {
  readonly shape: Shape;
  readonly perTask: boolean;
}

const UNKNOWN: Type = { shape: "unknown", perTask: false };
const BOOL: Type = { shape: "bool", perTask: false };
const NUMBER: Type = { shape: "number", perTask: false };

const SINGLE: Readonly<Record<Shape, string>> = {
  bool: "a single true/false value",
  number: "a number",
  string: "a string",
  null: "null",
  list: "a list",
  unknown: "a value",
};
const PER: Readonly<Record<Shape, string>> = {
  bool: "one true/false value",
  number: "one number",
  string: "one string",
  null: "one null",
  list: "one list",
  unknown: "one value",
};
const describe = (t: Type) => (t.perTask ? `${PER[t.shape]} per task of a glob` : SINGLE[t.shape]);
const fits = (t: Type, want: Shape) => t.shape === want || t.shape === "unknown";
const scalar = (t: Type) => t.shape !== "list" && t.shape !== "unknown";

/**
 * Checks a parsed condition at submission for what can never evaluate, whatever the outputs
 * hold: an aggregate over values that cannot be a list of booleans (or numbers), a glob where
 * one true or false is needed, two globs in one comparison, an operator given a literal type it
 * never accepts. A small type inference over the tree; a value read from an output is unknown,
 * and unknown is always allowed, so no output can ever make a rejected part evaluate. (A part
 * that `and`/`or` short-circuits past, or a glob that matched no task, would not fail at run
 * time, but is still wrong as written.) Returns the problems, each as `expression: message`.
 */
export function checkCondition(cond: Condition): string[] {
  const checker = new Checker();
  const t = checker.type(cond.ast);
  const needs = "a condition must be true or false, got";
  if (t.perTask) checker.report(cond.ast, `${needs} ${describe(t)}: ${WRAP_HINT}`);
  else if (!fits(t, "bool")) checker.report(cond.ast, `${needs} ${describe(t)}`);
  return checker.problems;
}

/**
 * Checks a parsed `map` expression at submission: the same inference, but the expression must
 * give a list (a list literal, a glob's values, or a value read from an output or a parameter,
 * which may be one). Returns the problems, each as `expression: message`.
 */
export function checkListExpression(cond: Condition): string[] {
  const checker = new Checker();
  const t = checker.type(cond.ast);
  if (!t.perTask && t.shape !== "list" && t.shape !== "unknown")
    checker.report(cond.ast, `a map must give a list, got ${describe(t)}`);
  return checker.problems;
}

class Checker {
  readonly problems: string[] = [];

  /** Records a problem; the node's type becomes unknown so one mistake is reported once. */
  report(node: ConditionNode, message: string): Type {
    this.problems.push(reasonAt(node, message));
    return UNKNOWN;
  }

  type(node: ConditionNode): Type {
    switch (node.kind) {
      case "literal":
        return { shape: literalShape(node.value), perTask: false };
      case "list":
        for (const item of node.items) this.type(item);
        return { shape: "list", perTask: false };
      case "input":
        return { shape: "unknown", perTask: node.ref.kind === "glob" };
      case "param":
        // A parameter's value is set at submission, and may be overridden then: any JSON.
        return UNKNOWN;
      case "member":
      case "index":
        return this.access(node);
      case "call":
        return this.call(node);
      case "not": {
        const t = this.type(node.operand);
        if (fits(t, "bool")) return { shape: "bool", perTask: t.perTask };
        return this.report(node.operand, `not needs true or false, got ${describe(t)}`);
      }
      case "neg": {
        const t = this.type(node.operand);
        if (fits(t, "number")) return { shape: "number", perTask: t.perTask };
        return this.report(node, `unary - needs a number, got ${describe(t)}`);
      }
      case "logical":
        for (const side of [node.left, node.right]) {
          const t = this.type(side);
          const got = `${node.op} needs true or false, got ${describe(t)}`;
          if (t.perTask) this.report(side, `${got}: ${WRAP_HINT}`);
          else if (!fits(t, "bool")) this.report(side, got);
        }
        return BOOL;
      case "compare": {
        const l = this.type(node.left);
        const r = this.type(node.right);
        if (l.perTask && r.perTask) return this.report(node, TWO_GLOBS);
        const problem = operandProblem(node.op, l, r);
        if (problem !== undefined) return this.report(node, `${node.op} ${problem}`);
        return { shape: "bool", perTask: l.perTask || r.perTask };
      }
      default:
        return assertNever(node, "condition node");
    }
  }

  private access(node: ConditionNode & { kind: "member" | "index" }): Type {
    const object = this.type(node.object);
    const result: Type = { shape: "unknown", perTask: object.perTask };
    if (node.kind === "member") {
      if (!scalar(object) && object.shape !== "list") return result;
      return this.report(node, `cannot read field ${quote(node.name, 80)} of ${describe(object)}`);
    }
    const key = this.type(node.index);
    if (key.perTask || key.shape === "bool" || key.shape === "null" || key.shape === "list") {
      return this.report(node, `an index must be a string or a number, got ${describe(key)}`);
    }
    if (scalar(object)) return this.report(node, `cannot index ${describe(object)}`);
    return result;
  }

  private call(node: ConditionNode & { kind: "call" }): Type {
    const counts = BOOLEAN_AGGREGATES.includes(node.fn);
    const want: Shape = counts ? "bool" : "number";
    const needs = `${node.fn} needs a list of ${counts ? "true/false values" : "numbers"}, got`;
    const result = node.fn === "all" || node.fn === "any" ? BOOL : NUMBER;
    if (node.arg.kind === "list") {
      // A list literal's items are checked one by one; a glob inside it is a plain list.
      let bad: string | undefined;
      node.arg.items.forEach((item, i) => {
        const t = this.type(item);
        if (bad === undefined && (t.perTask || !fits(t, want))) {
          bad = `${needs} ${t.perTask ? SINGLE.list : describe(t)} at index ${i}`;
        }
      });
      return bad === undefined ? result : this.report(node, bad);
    }
    const t = this.type(node.arg);
    const ok = t.perTask ? fits(t, want) : t.shape === "list" || t.shape === "unknown";
    return ok ? result : this.report(node, `${needs} ${describe(t)}`);
  }
}

const BOOLEAN_AGGREGATES: readonly Aggregate[] = ["all", "any", "count"];

/** Why an operator can never accept these operands (each an element type for a glob), if so. */
function operandProblem(op: CompareOp, l: Type, r: Type): string | undefined {
  switch (op) {
    case "==":
    case "!=":
      return undefined;
    case "<":
    case "<=":
    case ">":
    case ">=": {
      const ordered = (t: Type) => fits(t, "number") || t.shape === "string";
      const bad = [l, r].find((t) => !ordered(t));
      if (bad !== undefined) return `needs two numbers or two strings, got ${describe(bad)}`;
      if (scalar(l) && scalar(r) && l.shape !== r.shape) {
        return `needs two numbers or two strings, got ${describe(l)} and ${describe(r)}`;
      }
      return undefined;
    }
    case "in":
    case "not in":
      if (r.shape === "bool" || r.shape === "number" || r.shape === "null") {
        return `needs a list, a string or an object on the right, got ${describe(r)}`;
      }
      if (r.shape === "string" && !fits(l, "string")) {
        return `needs a string on the left of a string, got ${describe(l)}`;
      }
      return undefined;
    default:
      return assertNever(op, "comparison");
  }
}

function literalShape(value: LiteralValue): Shape {
  if (value === null) return "null";
  if (typeof value === "boolean") return "bool";
  return typeof value === "number" ? "number" : "string";
}
