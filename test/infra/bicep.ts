/**
 * A small, line-based reader for the Bicep files in infra/, for tests that check the templates
 * against the code.
 *
 * Why not a Bicep parser: the only complete one is the Bicep compiler itself, a .NET binary that
 * `az bicep install` downloads; no package in the registries this machine reaches (npm, Debian)
 * ships it, and nothing else can be downloaded here. So the templates keep a regular style this
 * reader relies on: one
 * declaration per line (`param`, `var`, `resource`, `module`, `output` at the start of a line),
 * multi-line objects, single-quoted strings. The tests assert concrete values (names, GUIDs,
 * settings), so a template that drifts from that style fails a test instead of passing silently.
 *
 * `evaluate` understands the small expression subset the name derivations use: string
 * interpolation, identifiers (params and vars), array literals, `concat(...)` and single-level
 * `[for x in xs: ...]`. Anything else throws, naming the expression.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const INFRA = resolve(dirname(fileURLToPath(import.meta.url)), "../../infra");

export interface Param {
  readonly name: string;
  readonly type: string;
  /** The default's source text, or undefined for a required parameter. */
  readonly defaultText: string | undefined;
  /** Decorator name → its argument's source text (`description` → `'...'`). */
  readonly decorators: ReadonlyMap<string, string>;
}

export interface Declaration {
  readonly name: string;
  /** Everything after `=` up to the end of the (possibly multi-line) value. */
  readonly body: string;
}

export interface Resource extends Declaration {
  readonly type: string;
  readonly apiVersion: string;
  readonly existing: boolean;
  /** For `= [for x in xs: {`: the loop variable and the array expression. */
  readonly loop: { readonly variable: string; readonly array: string } | undefined;
}

export interface Output extends Declaration {
  readonly type: string;
}

export interface Module extends Declaration {
  readonly path: string;
  /** The `params: { ... }` entries passed to the module: name → source text. */
  readonly params: ReadonlyMap<string, string>;
}

export class BicepFile {
  readonly text: string;
  /** The text with comments removed (strings kept intact). */
  readonly code: string;
  readonly lines: readonly string[];

  constructor(readonly path: string) {
    this.text = readFileSync(path, "utf8");
    this.code = stripComments(this.text);
    this.lines = this.code.split("\n");
  }

  static infra(relative: string): BicepFile {
    return new BicepFile(join(INFRA, relative));
  }

  params(): Param[] {
    const out: Param[] = [];
    let decorators: string[] = [];
    for (let i = 0; i < this.lines.length; i++) {
      const line = this.lines[i]!.trim();
      if (line.startsWith("@")) {
        const [text, end] = this.balanced(i);
        decorators.push(text.trim());
        i = end;
        continue;
      }
      const m = /^param\s+(\w+)\s+(\w+)(\s*=\s*(.*))?$/.exec(line);
      if (m) {
        const [text, end] = m[3] ? this.balanced(i) : [line, i];
        const eq = text.indexOf("=");
        out.push({
          name: m[1]!,
          type: m[2]!,
          defaultText: m[3] ? text.slice(eq + 1).trim() : undefined,
          decorators: new Map(decorators.map(parseDecorator)),
        });
        i = end;
      }
      if (line !== "") decorators = [];
    }
    return out;
  }

  param(name: string): Param {
    const p = this.params().find((x) => x.name === name);
    if (!p) throw new Error(`${this.path}: no param ${name}`);
    return p;
  }

  vars(): Declaration[] {
    return this.declarations(/^var\s+(\w+)\s*=\s*/);
  }

  outputs(): Output[] {
    return this.declarations(/^output\s+(\w+)\s+(\w+)\s*=\s*/).map((d) => ({
      ...d,
      type: d.match[2]!,
    }));
  }

  resources(): Resource[] {
    return this.declarations(/^resource\s+(\w+)\s+'([^'@]+)@([^']+)'\s*(existing\s*)?=\s*/).map(
      (d) => {
        const loop = /^\[for\s+(?:\(\s*)?(\w+)(?:\s*,\s*\w+\s*\))?\s+in\s+(.+?):\s*\{/.exec(d.body);
        return {
          name: d.name,
          body: d.body,
          type: d.match[2]!,
          apiVersion: d.match[3]!,
          existing: d.match[4] !== undefined,
          loop: loop ? { variable: loop[1]!, array: loop[2]!.trim() } : undefined,
        };
      },
    );
  }

  /** The one resource of a type that is declared (not `existing`) here. */
  resource(type: string): Resource {
    const found = this.resources().filter((r) => r.type === type && !r.existing);
    if (found.length !== 1) {
      throw new Error(`${this.path}: expected one ${type}, found ${found.length}`);
    }
    return found[0]!;
  }

  modules(): Module[] {
    return this.declarations(/^module\s+(\w+)\s+'([^']+)'\s*=\s*/).map((d) => ({
      name: d.name,
      body: d.body,
      path: d.match[2]!,
      params: objectEntries(blockOf(d.body, "params")),
    }));
  }

  /** App settings of a `siteConfig.appSettings` array: each `name: '...'` with its `value:`. */
  appSettings(): Map<string, string> {
    const block = blockOf(this.code, "appSettings", "[");
    const settings = new Map<string, string>();
    const lines = block.split("\n").map((l) => l.trim());
    for (let i = 0; i < lines.length; i++) {
      const name = /^name:\s*'([^']+)'$/.exec(lines[i]!);
      const value = /^value:\s*(.+)$/.exec(lines[i + 1] ?? "");
      if (name && value) {
        if (settings.has(name[1]!)) throw new Error(`app setting ${name[1]} set twice`);
        settings.set(name[1]!, value[1]!);
      }
    }
    return settings;
  }

  /** Evaluates an expression with params (defaults, then `overrides`) and vars of this file. */
  evaluate(expr: string, overrides: Record<string, Value> = {}): Value {
    const vars = new Map(this.vars().map((v) => [v.name, v.body]));
    const params = new Map(this.params().map((p) => [p.name, p]));
    const cache = new Map<string, Value>();
    const lookup = (name: string): Value => {
      if (name in overrides) return overrides[name]!;
      const cached = cache.get(name);
      if (cached !== undefined) return cached;
      const varBody = vars.get(name);
      const param = params.get(name);
      const text = varBody ?? param?.defaultText;
      if (text === undefined) throw new Error(`${this.path}: cannot evaluate ${name}`);
      const value = evaluate(text, lookup);
      cache.set(name, value);
      return value;
    };
    return evaluate(expr, lookup);
  }

  private declarations(head: RegExp): (Declaration & { readonly match: RegExpExecArray })[] {
    const out: (Declaration & { readonly match: RegExpExecArray })[] = [];
    for (let i = 0; i < this.lines.length; i++) {
      const m = head.exec(this.lines[i]!);
      if (!m) continue;
      const [text, end] = this.balanced(i);
      out.push({ name: m[1]!, body: text.slice(m[0].length).trim(), match: m });
      i = end;
    }
    return out;
  }

  /** The text from line `start` until its brackets balance: [text, index of the last line]. */
  private balanced(start: number): [string, number] {
    let depth = 0;
    const taken: string[] = [];
    for (let i = start; i < this.lines.length; i++) {
      const line = this.lines[i]!;
      taken.push(line);
      depth += bracketDelta(line);
      if (depth <= 0) return [taken.join("\n"), i];
    }
    throw new Error(`${this.path}:${start + 1}: unbalanced brackets`);
  }
}

export function infraFileExists(relative: string): boolean {
  return existsSync(join(INFRA, relative));
}

function parseDecorator(text: string): [string, string] {
  const m = /^@(\w+)\(([\s\S]*)\)$/.exec(text);
  if (!m) throw new Error(`not a decorator: ${text}`);
  return [m[1]!, m[2]!.trim()];
}

/** Removes `//` and `/* *\/` comments outside single-quoted strings. */
export function stripComments(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === "\\") {
        out += text[i + 1] ?? "";
        i++;
      } else if (c === "'") inString = false;
      continue;
    }
    if (c === "'") {
      inString = true;
      out += c;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 1;
    } else out += c;
  }
  return out;
}

function bracketDelta(line: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === "'") inString = false;
    } else if (c === "'") inString = true;
    else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
  }
  return depth;
}

/** The body of `key: {` (or `key: [`) inside `text`, without the outer brackets. */
export function blockOf(text: string, key: string, open: "{" | "[" = "{"): string {
  const at = new RegExp(`(^|\\n)\\s*${key}:\\s*\\${open}`).exec(text);
  if (!at) return "";
  // at[0] ends with the opening bracket.
  return innerOf(text, at.index + at[0].length - 1);
}

/** The text between the bracket at `open` and the bracket that closes it. */
export function innerOf(text: string, open: number): string {
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === "'") inString = false;
    } else if (c === "'") inString = true;
    else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) {
      depth--;
      if (depth === 0) return text.slice(open + 1, i);
    }
  }
  throw new Error(`unbalanced brackets from ${open}: ${text.slice(open, open + 40)}`);
}

/** `key: value` entries at the top level of an object body. */
export function objectEntries(body: string): Map<string, string> {
  const entries = new Map<string, string>();
  let depth = 0;
  for (const raw of body.split("\n")) {
    const line = raw.trim();
    if (depth === 0) {
      const m = /^'?([\w-]+)'?:\s*(.*)$/.exec(line);
      if (m) entries.set(m[1]!, m[2]!);
    }
    depth += bracketDelta(line);
  }
  return entries;
}

/** Every top-level `{ ... }` object of an array body, as its entries. */
export function arrayObjects(body: string): Map<string, string>[] {
  const objects: Map<string, string>[] = [];
  let depth = 0;
  let current: string[] = [];
  for (const raw of body.split("\n")) {
    const line = raw.trim();
    const before = depth;
    depth += bracketDelta(line);
    if (before === 0 && line.startsWith("{")) current = [];
    else if (before >= 1 && !(depth === 0 && line.startsWith("}"))) current.push(line);
    if (before >= 1 && depth === 0) objects.push(objectEntries(current.join("\n")));
  }
  return objects;
}

/** A single-quoted Bicep string literal without interpolation, unquoted. */
export function literal(text: string): string {
  const m = /^'((?:[^'\\$]|\\.)*)'$/.exec(text.trim());
  if (!m) throw new Error(`not a plain string literal: ${text}`);
  return m[1]!.replace(/\\(.)/g, "$1");
}

// --- a tiny evaluator for name derivations -------------------------------------------------------

export type Value = string | number | boolean | Value[];

export function evaluate(expr: string, lookup: (name: string) => Value): Value {
  const p = new ExprParser(expr, lookup);
  const value = p.expression();
  p.skip();
  if (!p.done()) throw new Error(`cannot evaluate (unsupported syntax): ${expr}`);
  return value;
}

class ExprParser {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly lookup: (name: string) => Value,
    private readonly locals: ReadonlyMap<string, Value> = new Map(),
  ) {}

  done(): boolean {
    return this.i >= this.s.length;
  }

  skip(): void {
    while (this.i < this.s.length && /[\s,]/.test(this.s[this.i]!)) this.i++;
  }

  private fail(what: string): never {
    throw new Error(`cannot evaluate ${JSON.stringify(this.s)} at ${this.i}: ${what}`);
  }

  expression(): Value {
    this.skip();
    const c = this.s[this.i];
    if (c === "'") return this.string();
    if (c === "[") return this.array();
    const num = /^-?\d+/.exec(this.s.slice(this.i));
    if (num) {
      this.i += num[0].length;
      return Number(num[0]);
    }
    const ident = /^[A-Za-z_]\w*/.exec(this.s.slice(this.i));
    if (!ident) this.fail("expected a value");
    this.i += ident[0].length;
    if (ident[0] === "true" || ident[0] === "false") return ident[0] === "true";
    if (this.s[this.i] === "(") return this.call(ident[0]);
    if (this.s[this.i] === "." || this.s[this.i] === "[") this.fail("property access");
    return this.locals.get(ident[0]) ?? this.lookup(ident[0]);
  }

  private call(name: string): Value {
    this.i++; // (
    const args: Value[] = [];
    for (;;) {
      this.skip();
      if (this.s[this.i] === ")") break;
      args.push(this.expression());
    }
    this.i++; // )
    if (name === "concat" && args.every(Array.isArray)) return (args as Value[][]).flat(1);
    if (name === "concat" && args.every((a) => typeof a === "string")) return args.join("");
    return this.fail(`unsupported function ${name}`);
  }

  private string(): string {
    this.i++; // '
    let out = "";
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      if (c === "'") {
        this.i++;
        return out;
      }
      if (c === "\\") {
        out += this.s[this.i + 1] ?? "";
        this.i += 2;
      } else if (c === "$" && this.s[this.i + 1] === "{") {
        const end = this.s.indexOf("}", this.i);
        const inner = this.s.slice(this.i + 2, end);
        const v = new ExprParser(inner, this.lookup, this.locals).expression();
        if (Array.isArray(v)) this.fail("interpolating an array");
        out += String(v);
        this.i = end + 1;
      } else {
        out += c;
        this.i++;
      }
    }
    return this.fail("unterminated string");
  }

  private array(): Value[] {
    this.i++; // [
    this.skip();
    const loop = /^for\s+(\w+)\s+in\s+/.exec(this.s.slice(this.i));
    if (loop) {
      this.i += loop[0].length;
      const items = this.expression();
      this.skip();
      if (this.s[this.i] !== ":" || !Array.isArray(items)) this.fail("for over a non-array");
      this.i++;
      const bodyStart = this.i;
      const out: Value[] = [];
      let bodyEnd = bodyStart;
      for (const item of items) {
        const locals = new Map(this.locals).set(loop[1]!, item);
        const inner = new ExprParser(this.s, this.lookup, locals);
        inner.i = bodyStart;
        out.push(inner.expression());
        bodyEnd = inner.i;
      }
      if (items.length === 0) this.fail("cannot skip the body of an empty for");
      this.i = bodyEnd;
      this.skip();
      if (this.s[this.i] !== "]") this.fail("expected ] after a for body");
      this.i++;
      return out;
    }
    const out: Value[] = [];
    for (;;) {
      this.skip();
      if (this.s[this.i] === "]") {
        this.i++;
        return out;
      }
      if (this.done()) this.fail("unterminated array");
      out.push(this.expression());
    }
  }
}
