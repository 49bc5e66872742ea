// Hand-written: no well-kept JS expression parser supports this Python-like grammar with
// and/or/not/in/not in without extending it more than writing it would take. The grammar, in
// EBNF with the rules of evaluation, is in docs/conditions.md; one method per rule:
//
//   or      := and ("or" and)*
//   and     := not ("and" not)*
//   not     := "not" not | compare
//   compare := unary [("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in") unary]
//   unary   := "-" unary | postfix
//   postfix := primary ("." NAME | "[" or "]")*
//   primary := NUMBER | STRING | true | false | null | True | False | None
//            | "[" [or ("," or)* [","]] "]" | "(" or ")"
//            | "inputs" ("." NAME | "." "*" | "[" STRING "]") | AGGREGATE "(" or ")"
import { DagqError, ErrorCode } from "../errors.js";
import { type CompareOp, type Condition, type ConditionNode, MAX_SOURCE_LENGTH } from "./ast.js";
import { type Punct, syntaxError } from "./lexer.js";
import { PrimaryParser } from "./primary.js";
import { quote } from "./text.js";

const COMPARE_PUNCT: readonly Punct[] = ["==", "!=", "<", "<=", ">", ">="];

/** Parses a condition once, at submission; every syntax error is a CONDITION_SYNTAX DagqError. */
export function parseCondition(source: string): Condition {
  if (typeof source !== "string") {
    throw new DagqError(ErrorCode.CONDITION_SYNTAX, "a condition must be a string", {
      position: 0,
      source: "",
    });
  }
  if (source.length > MAX_SOURCE_LENGTH) {
    // The source in the details is cut at the limit so a hostile document cannot bloat the error.
    throw new DagqError(
      ErrorCode.CONDITION_SYNTAX,
      `condition too long: ${source.length} characters, at most ${MAX_SOURCE_LENGTH}`,
      { position: MAX_SOURCE_LENGTH, source: source.slice(0, MAX_SOURCE_LENGTH) },
    );
  }
  return new Parser(source).parse();
}

class Parser extends PrimaryParser {
  protected parseExpression(): ConditionNode {
    return this.parseOr();
  }

  parse(): Condition {
    if (this.peek().type === "eof") {
      throw syntaxError(
        this.source,
        0,
        "empty condition",
        "write an expression such as inputs.A.ok",
      );
    }
    const ast = this.parseOr();
    const tok = this.peek();
    if (tok.type !== "eof")
      this.unexpected(tok, "expected an operator or the end of the condition");
    return { source: this.source, ast, refs: this.refs, params: this.params };
  }

  private parseOr(): ConditionNode {
    let left = this.parseAnd();
    while (this.isName("or")) {
      this.i++;
      left = { kind: "logical", op: "or", left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): ConditionNode {
    let left = this.parseNot();
    while (this.isName("and")) {
      this.i++;
      left = { kind: "logical", op: "and", left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): ConditionNode {
    if (!this.isName("not")) return this.parseComparison();
    const tok = this.next();
    return this.nested(tok, () => ({ kind: "not", operand: this.parseNot() }));
  }

  private parseComparison(): ConditionNode {
    const left = this.parseUnary();
    const op = this.compareOp();
    if (op === undefined) return left;
    const right = this.parseUnary();
    const again = this.peek();
    if (this.compareOp() !== undefined) {
      throw syntaxError(
        this.source,
        again.pos,
        `comparisons cannot be chained: second operator ${quote(this.text(again))}`,
        "write a < b and b < c instead of a < b < c",
      );
    }
    return { kind: "compare", op, left, right };
  }

  /** Consumes a comparison operator if one comes next. */
  private compareOp(): CompareOp | undefined {
    const tok = this.peek();
    if (tok.type === "punct" && COMPARE_PUNCT.includes(tok.value)) {
      this.i++;
      return tok.value as CompareOp;
    }
    if (this.isName("in")) {
      this.i++;
      return "in";
    }
    const after = this.tokens[this.i + 1];
    if (this.isName("not") && after?.type === "name" && after.value === "in") {
      this.i += 2;
      return "not in";
    }
    return undefined;
  }

  private parseUnary(): ConditionNode {
    if (!this.isPunct("-")) return this.parsePostfix();
    const tok = this.next();
    return this.nested(tok, () => ({ kind: "neg", operand: this.parseUnary() }));
  }
}
