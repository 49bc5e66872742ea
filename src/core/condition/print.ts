import { assertNever } from "../errors.js";
import { type ConditionNode, IDENTIFIER } from "./ast.js";

// Binding strength, loosest first; a child that binds looser than its slot needs parentheses.
const Prec = { OR: 1, AND: 2, NOT: 3, COMPARE: 4, NEG: 5, POSTFIX: 6, ATOM: 7 } as const;

/**
 * Prints a tree back to source that parses to the same tree, with only the parentheses the
 * precedence needs. Evaluation reasons use it to name the expression that failed.
 */
export function printCondition(node: ConditionNode): string {
  return print(node, Prec.OR);
}

function print(node: ConditionNode, min: number): string {
  const text = bare(node);
  return precedence(node) < min ? `(${text})` : text;
}

function precedence(node: ConditionNode): number {
  switch (node.kind) {
    case "logical":
      return node.op === "or" ? Prec.OR : Prec.AND;
    case "not":
      return Prec.NOT;
    case "compare":
      return Prec.COMPARE;
    case "neg":
      return Prec.NEG;
    case "member":
    case "index":
      return Prec.POSTFIX;
    case "literal":
    case "list":
    case "input":
    case "param":
    case "call":
      return Prec.ATOM;
    default:
      return assertNever(node, "condition node");
  }
}

function bare(node: ConditionNode): string {
  switch (node.kind) {
    case "literal":
      return typeof node.value === "string" ? JSON.stringify(node.value) : String(node.value);
    case "list":
      return `[${node.items.map((item) => print(item, Prec.OR)).join(", ")}]`;
    case "input":
      // `inputs.*` is the one glob written without quotes.
      if (node.ref.kind === "glob" && node.ref.pattern === "*") return "inputs.*";
      return `inputs${accessor(node.ref.kind === "name" ? node.ref.name : node.ref.pattern)}`;
    case "param":
      return `params${accessor(node.name)}`;
    case "member":
      return `${postfixObject(node.object)}${accessor(node.name)}`;
    case "index":
      return `${postfixObject(node.object)}[${print(node.index, Prec.OR)}]`;
    case "call":
      return `${node.fn}(${print(node.arg, Prec.OR)})`;
    case "not":
      return `not ${print(node.operand, Prec.NOT)}`;
    case "neg":
      return `-${print(node.operand, Prec.NEG)}`;
    case "logical": {
      const p = precedence(node);
      return `${print(node.left, p)} ${node.op} ${print(node.right, p + 1)}`;
    }
    case "compare":
      return `${print(node.left, Prec.NEG)} ${node.op} ${print(node.right, Prec.NEG)}`;
    default:
      return assertNever(node, "condition node");
  }
}

function accessor(name: string): string {
  return IDENTIFIER.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

// `1.x` would lex as a malformed number, so a number literal is wrapped before `.` or `[`.
function postfixObject(object: ConditionNode): string {
  const text = print(object, Prec.POSTFIX);
  return object.kind === "literal" && typeof object.value === "number" ? `(${text})` : text;
}
