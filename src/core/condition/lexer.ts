import { DagqError, ErrorCode } from "../errors.js";
import { quote } from "./text.js";

// `*` only ever follows `inputs.`; the parser rejects it anywhere else.
export const PUNCT = [
  ".",
  "[",
  "]",
  "(",
  ")",
  ",",
  "-",
  "*",
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
] as const;
export type Punct = (typeof PUNCT)[number];

interface Span {
  readonly pos: number;
  readonly end: number;
}
export type Token =
  | (Span & { readonly type: "num"; readonly value: number })
  | (Span & { readonly type: "str"; readonly value: string })
  | (Span & { readonly type: "name"; readonly value: string })
  | (Span & { readonly type: "punct"; readonly value: Punct })
  | (Span & { readonly type: "eof" });

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};
// Characters people bring from other languages, with what to write instead.
const HINTS: Readonly<Record<string, string>> = {
  "=": "use == to compare",
  "!": "use not, or != to compare",
  "&": "use and",
  "|": "use or",
};

const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const isNameStart = (c: string | undefined) =>
  c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_");
const isNameChar = (c: string | undefined) => isNameStart(c) || isDigit(c);
const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\r";

/** `column 14`, or `line 2, column 3` for conditions written over several lines; 1-based. */
export function where(source: string, pos: number): string {
  const lineStart = pos === 0 ? 0 : source.lastIndexOf("\n", pos - 1) + 1;
  const column = Array.from(source.slice(lineStart, pos)).length + 1;
  if (!source.includes("\n")) return `column ${column}`;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (source[i] === "\n") line++;
  return `line ${line}, column ${column}`;
}

export function syntaxError(source: string, pos: number, what: string, hint?: string): DagqError {
  const message = `${what} at ${where(source, pos)}${hint ? `: ${hint}` : ""}`;
  return new DagqError(ErrorCode.CONDITION_SYNTAX, message, { position: pos, source });
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (isSpace(c)) {
      i++;
    } else if (isDigit(c)) {
      const end = scanNumber(source, i);
      const value = Number(source.slice(i, end));
      if (!Number.isFinite(value)) throw syntaxError(source, i, "number too large");
      tokens.push({ type: "num", value, pos: i, end });
      i = end;
    } else if (c === '"' || c === "'") {
      const { value, end } = scanString(source, i);
      tokens.push({ type: "str", value, pos: i, end });
      i = end;
    } else if (isNameStart(c)) {
      let end = i + 1;
      while (isNameChar(source[end])) end++;
      tokens.push({ type: "name", value: source.slice(i, end), pos: i, end });
      i = end;
    } else {
      const two = source.slice(i, i + 2);
      const one = c ?? "";
      const punct = PUNCT.find((p) => p === two) ?? PUNCT.find((p) => p === one);
      if (punct === undefined) {
        const char = String.fromCodePoint(source.codePointAt(i) ?? 0);
        throw syntaxError(source, i, `unexpected character ${JSON.stringify(char)}`, HINTS[char]);
      }
      tokens.push({ type: "punct", value: punct, pos: i, end: i + punct.length });
      i += punct.length;
    }
  }
  tokens.push({ type: "eof", pos: source.length, end: source.length });
  return tokens;
}

/** JSON number syntax (leading zeros tolerated); returns where it ends. */
function scanNumber(source: string, start: number): number {
  let i = start;
  while (isDigit(source[i])) i++;
  if (source[i] === "." && isDigit(source[i + 1])) {
    i++;
    while (isDigit(source[i])) i++;
  }
  if (source[i] === "e" || source[i] === "E") {
    let j = i + 1;
    if (source[j] === "+" || source[j] === "-") j++;
    if (!isDigit(source[j])) throw badNumber(source, start, j);
    i = j;
    while (isDigit(source[i])) i++;
  }
  if (isNameChar(source[i]) || source[i] === ".") throw badNumber(source, start, i + 1);
  return i;
}

function badNumber(source: string, start: number, end: number): DagqError {
  return syntaxError(source, start, `invalid number ${quote(source.slice(start, end))}`);
}

function scanString(source: string, start: number): { value: string; end: number } {
  const q = source[start];
  let value = "";
  let i = start + 1;
  for (;;) {
    const c = source[i];
    if (c === undefined) {
      throw syntaxError(source, start, "unterminated string", `add the closing ${q}`);
    }
    if (c === q) return { value, end: i + 1 };
    if (c < " ") {
      const code = `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
      throw syntaxError(source, i, `control character ${code} in string`, "write it as an escape");
    }
    if (c !== "\\") {
      value += c;
      i++;
      continue;
    }
    const e = source[i + 1];
    if (e === undefined) {
      throw syntaxError(source, start, "unterminated string", `add the closing ${q}`);
    }
    const simple = ESCAPES[e];
    if (simple !== undefined) {
      value += simple;
      i += 2;
    } else if (e === "u" && /^[0-9A-Fa-f]{4}$/.test(source.slice(i + 2, i + 6))) {
      value += String.fromCharCode(Number.parseInt(source.slice(i + 2, i + 6), 16));
      i += 6;
    } else {
      const shown = `\\${String.fromCodePoint(source.codePointAt(i + 1) ?? 0)}`;
      throw syntaxError(
        source,
        i,
        `invalid escape ${quote(shown)} in string`,
        `the escapes are \\" \\' \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX`,
      );
    }
  }
}
