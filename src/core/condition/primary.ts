import { AGGREGATES, type ConditionNode, type ConditionRef, isAggregate } from "./ast.js";
import { TokenCursor } from "./cursor.js";
import { isGlob } from "./glob.js";
import { syntaxError, type Token, where } from "./lexer.js";
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

/** The tightest-binding part of the grammar: values, `inputs` references, calls, `.x` and `[i]`. */
export abstract class PrimaryParser extends TokenCursor {
  /** Every input reference met so far, deduplicated, in order of first appearance. */
  protected readonly refs: ConditionRef[] = [];
  /** Every parameter read so far, deduplicated, in order of first appearance. */
  protected readonly params: string[] = [];

  /** The loosest-binding rule, for what sits inside brackets, parentheses and calls. */
  protected abstract parseExpression(): ConditionNode;

  protected parsePostfix(): ConditionNode {
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
        const index = this.nested(tok, () => this.parseExpression());
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
          const inner = this.nested(tok, () => this.parseExpression());
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
      items.push(this.parseExpression());
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
    if (name === "inputs") return this.parseInput();
    if (name === "params") return this.parseParam();
    if (isAggregate(name)) {
      if (!this.isPunct("(")) {
        throw syntaxError(this.source, tok.pos, `${name} is a function`, `write ${name}(<list>)`);
      }
      const open = this.next();
      const arg = this.nested(open, () => this.parseExpression());
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
      "conditions can only read inputs.<task> and params.<name>",
    );
  }

  /** The first access after `inputs` must name a dependency statically, so refs are known at submission. */
  private parseInput(): ConditionNode {
    const tok = this.next();
    let name: string;
    if (tok.type === "punct" && tok.value === ".") {
      const word = this.next();
      const star = word.type === "punct" && word.value === "*";
      if (word.type !== "name" && !star) {
        this.unexpected(word, 'expected a dependency name or * after "inputs."');
      }
      name = this.globText(word);
      if (name !== (star ? "*" : this.text(word))) {
        throw syntaxError(
          this.source,
          word.pos,
          "a glob needs quotes",
          `write inputs[${JSON.stringify(name)}]`,
        );
      }
    } else if (tok.type === "punct" && tok.value === "[") {
      const str = this.next();
      if (str.type !== "str") {
        this.unexpected(str, 'inputs[...] takes a quoted dependency name, e.g. inputs["prep/x"]');
      }
      this.close("]", tok);
      if (str.value === "") throw syntaxError(this.source, str.pos, "empty dependency name");
      name = str.value;
    } else {
      throw syntaxError(
        this.source,
        tok.pos,
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

  /** `params.NAME` or `params["NAME"]`: which parameter is read is known at submission. */
  private parseParam(): ConditionNode {
    const tok = this.next();
    let name: string;
    if (tok.type === "punct" && tok.value === ".") {
      const word = this.next();
      if (word.type !== "name") this.unexpected(word, 'expected a parameter name after "params."');
      name = word.value;
    } else if (tok.type === "punct" && tok.value === "[") {
      const str = this.next();
      if (str.type !== "str")
        this.unexpected(str, 'params[...] takes a quoted name, e.g. params["lr"]');
      this.close("]", tok);
      name = str.value;
    } else {
      throw syntaxError(
        this.source,
        tok.pos,
        '"params" must be followed by a parameter name',
        'write params.lr or params["lr"]',
      );
    }
    if (!this.params.includes(name)) this.params.push(name);
    return { kind: "param", name };
  }

  /** The names and stars written together from `first` on, e.g. `train_*` in `inputs.train_*`. */
  private globText(first: Token): string {
    const gluable = (t: Token) => t.type === "name" || (t.type === "punct" && t.value === "*");
    let end = first.end;
    while (this.peek().pos === end && gluable(this.peek())) end = this.next().end;
    return this.source.slice(first.pos, end);
  }
}

function sameRef(a: ConditionRef, b: ConditionRef): boolean {
  return a.kind === "name"
    ? b.kind === "name" && a.name === b.name
    : b.kind === "glob" && a.pattern === b.pattern;
}
