import { MAX_DEPTH } from "./ast.js";
import { type Punct, syntaxError, type Token, tokenize, where } from "./lexer.js";
import { quote } from "./text.js";

/** Token-level plumbing for the parser: lookahead, expectations, the nesting limit, errors. */
export class TokenCursor {
  protected readonly tokens: Token[];
  protected i = 0;
  private depth = 0;

  constructor(protected readonly source: string) {
    this.tokens = tokenize(source);
  }

  /**
   * Runs a nested parse, counting the depth so hostile input (10,000 parentheses) fails with a
   * syntax error instead of overflowing the stack here or in the evaluator.
   */
  protected nested<T>(tok: Token, parse: () => T): T {
    if (++this.depth > MAX_DEPTH) {
      throw syntaxError(
        this.source,
        tok.pos,
        "condition nested too deeply",
        `at most ${MAX_DEPTH} levels of parentheses, brackets, calls, not and unary -`,
      );
    }
    const result = parse();
    this.depth--;
    return result;
  }

  protected peek(): Token {
    // tokenize always ends with eof, and next() never moves past it.
    return this.tokens[this.i] ?? this.tokens[this.tokens.length - 1]!;
  }

  protected next(): Token {
    const tok = this.peek();
    if (tok.type !== "eof") this.i++;
    return tok;
  }

  protected isName(value: string): boolean {
    const tok = this.peek();
    return tok.type === "name" && tok.value === value;
  }

  protected isPunct(value: Punct): boolean {
    const tok = this.peek();
    return tok.type === "punct" && tok.value === value;
  }

  /** Consumes the closing bracket of `open`, or says which one is left open. */
  protected close(value: "]" | ")", open: Token): void {
    const opener = value === "]" ? "[" : "(";
    if (!this.isPunct(value)) {
      const at = where(this.source, open.pos);
      this.unexpected(this.peek(), `expected "${value}" to close the "${opener}" at ${at}`);
    }
    this.i++;
  }

  protected text(tok: Token): string {
    return this.source.slice(tok.pos, tok.end);
  }

  protected unexpected(tok: Token, hint: string): never {
    const what = tok.type === "eof" ? "end of condition" : `token ${quote(this.text(tok))}`;
    throw syntaxError(this.source, tok.pos, `unexpected ${what}`, hint);
  }
}
