// Hand-written: no well-kept JS expression parser supports this Python-like grammar with
// and/or/not/in/not in without extending it more than writing it would take.
import { DagqError, ErrorCode } from "../errors.js";
import {
  AGGREGATES,
  type CompareOp,
  type Condition,
  type ConditionNode,
  type ConditionRef,
  isAggregate,
  MAX_SOURCE_LENGTH,
} from "./ast.js";
import { TokenCursor } from "./cursor.js";
import { isGlob } from "./glob.js";
import { type Punct, syntaxError, type Token, where } from "./lexer.js";
import { quote } from "./text.js";

const LITERAL_NAMES: Readonly<Record<string, null | boolean>> = {
  true: true,
  false: false,
  null: null,
  True: true,
  False: false,
  None: null,
};
const KEYWORDS = ["and", "or", "not", "in"];
const FUNCTIONS = `${AGGREGATES.slice(0, -1).join(", ")} and ${AGGREGATES.at(-1)}`;
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

class Parser extends TokenCursor {
  private readonly refs: ConditionRef[] = [];

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
    return { source: this.source, ast, refs: this.refs };
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
        `comparisons cannot be chained (second operator ${quote(this.text(again))})`,
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

  private parsePostfix(): ConditionNode {
    const start = this.peek().pos;
    let node = this.parsePrimary();
    for (;;) {
      const tok = this.peek();
      if (this.isPunct(".")) {
        this.i++;
        const name = this.next();
        if (name.type !== "name") this.unexpected(name, 'expected a field name after "."');
        node = { kind: "member", object: node, name: name.value };
      } else if (this.isPunct("[")) {
        this.i++;
        const index = this.nested(tok, () => this.parseOr());
        this.close("]", tok);
        node =
          index.kind === "literal" && typeof index.value === "string"
            ? { kind: "member", object: node, name: index.value }
            : { kind: "index", object: node, index };
      } else if (this.isPunct("(")) {
        const callee = quote(this.source.slice(start, tok.pos).trim(), 40);
        throw syntaxError(
          this.source,
          tok.pos,
          `cannot call ${callee}`,
          `only ${FUNCTIONS} can be called`,
        );
      } else {
        return node;
      }
    }
  }

  private parsePrimary(): ConditionNode {
    const tok = this.next();
    switch (tok.type) {
      case "num":
      case "str":
        return { kind: "literal", value: tok.value };
      case "punct":
        if (tok.value === "(") {
          const inner = this.nested(tok, () => this.parseOr());
          this.close(")", tok);
          return inner;
        }
        if (tok.value === "[") return this.nested(tok, () => this.parseList(tok));
        return this.unexpected(tok, "expected a value");
      case "name":
        return this.parseName(tok);
      case "eof":
        return this.unexpected(tok, "expected a value");
    }
  }

  private parseList(open: Token): ConditionNode {
    const items: ConditionNode[] = [];
    while (!this.isPunct("]")) {
      items.push(this.parseOr());
      if (this.isPunct(",")) this.i++;
      else if (!this.isPunct("]")) {
        const at = where(this.source, open.pos);
        this.unexpected(this.peek(), `expected "," or "]" to close the "[" at ${at}`);
      }
    }
    this.i++;
    return { kind: "list", items };
  }

  private parseName(tok: Token & { type: "name" }): ConditionNode {
    const name = tok.value;
    if (Object.hasOwn(LITERAL_NAMES, name))
      return { kind: "literal", value: LITERAL_NAMES[name] ?? null };
    if (name === "inputs") return this.parseInput(tok);
    if (isAggregate(name)) {
      if (!this.isPunct("(")) {
        throw syntaxError(this.source, tok.pos, `${name} is a function`, `write ${name}(<list>)`);
      }
      const open = this.next();
      const arg = this.nested(open, () => this.parseOr());
      if (this.isPunct(",")) {
        throw syntaxError(this.source, this.peek().pos, `${name} takes one argument, a list`);
      }
      this.close(")", open);
      return { kind: "call", fn: name, arg };
    }
    if (KEYWORDS.includes(name)) return this.unexpected(tok, "expected a value");
    if (this.isPunct("(")) {
      throw syntaxError(
        this.source,
        tok.pos,
        `unknown function ${quote(name)}`,
        `the functions are ${FUNCTIONS}`,
      );
    }
    throw syntaxError(
      this.source,
      tok.pos,
      `unknown name ${quote(name)}`,
      "conditions can only read inputs.<task>",
    );
  }

  /** The first access after `inputs` must name a dependency statically, so refs are known at submission. */
  private parseInput(inputs: Token): ConditionNode {
    const tok = this.next();
    let name: string | undefined;
    if (tok.type === "punct" && tok.value === ".") {
      const word = this.next();
      if (word.type === "name") name = word.value;
    } else if (tok.type === "punct" && tok.value === "[") {
      const str = this.next();
      if (str.type === "str") {
        this.close("]", tok);
        if (str.value === "") throw syntaxError(this.source, str.pos, "empty dependency name");
        name = str.value;
      }
    }
    if (name === undefined) {
      throw syntaxError(
        this.source,
        inputs.end,
        '"inputs" must be followed by a dependency name',
        'write inputs.A or inputs["prep/x"]',
      );
    }
    const ref: ConditionRef = isGlob(name)
      ? { kind: "glob", pattern: name }
      : { kind: "name", name };
    if (!this.refs.some((r) => sameRef(r, ref))) this.refs.push(ref);
    return { kind: "input", ref };
  }
}

function sameRef(a: ConditionRef, b: ConditionRef): boolean {
  return a.kind === "name"
    ? b.kind === "name" && a.name === b.name
    : b.kind === "glob" && a.pattern === b.pattern;
}
