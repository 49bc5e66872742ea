import { Composer, type CST, type Document, type LineCounter, Parser, parseDocument } from "yaml";
import { toError } from "./toError.js";

/**
 * How deep a YAML document may nest. The yaml library composes a document recursively, one
 * call per level, and a stack overflow inside it does not stay an ordinary error: it can leave
 * a regular expression half-compiled, and the next deep document then aborts the whole process
 * ("RegExpCompiler Allocation failed"). Two requests of 10 KB (5,000 nested `[`) stopped
 * `dagq host` that way. A definition nests a handful of levels; 100 leaves room for anything
 * real and stays far from the ~800 levels where the stack runs out.
 */
export const MAX_YAML_DEPTH = 100;
/** Aliases expand into copies: a tiny document can otherwise grow without bound. */
const MAX_YAML_ALIASES = 1000;

export type YamlParse =
  | { readonly ok: true; readonly value: unknown; readonly doc: Document.Parsed }
  | { readonly ok: false; readonly message: string };

/**
 * One YAML document as plain data, or why not (`invalid YAML: ...`, with line and column).
 * The text is parsed once into the library's syntax tree (which the library builds without
 * recursion), its depth checked, and only then composed. `lines` learns the line starts, for
 * callers that point at a node's line.
 */
export function parseYaml(text: string, lines?: LineCounter): YamlParse {
  const tokens = Array.from(new Parser(lines?.addNewLine).parse(text));
  if (nestingDepth(tokens) > MAX_YAML_DEPTH)
    return { ok: false, message: `invalid YAML: nested more than ${MAX_YAML_DEPTH} levels deep` };
  const docs = Array.from(new Composer().compose(tokens, true, text.length));
  let doc = docs[0]!;
  if (docs.length !== 1 || doc.errors.length > 0) {
    // Errors are rare: parse again the library's usual way for its messages with line,
    // column and context (several documents included), now that the depth is known safe.
    doc = parseDocument(text, { prettyErrors: true });
    const hint = unquotedValueHint(text, doc.errors);
    const shown = doc.errors.slice(0, 5).map((err) => err.message.trimEnd());
    return { ok: false, message: `invalid YAML: ${hint ?? shown.join("\n")}` };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    return { ok: false, message: `invalid YAML: ${toError(e).message}` };
  }
  // `&a [*a]` is valid YAML and becomes a value that contains itself, which every walker of
  // plain data (JSON, schemas) would follow forever.
  if (containsItself(value))
    return { ok: false, message: "invalid YAML: an alias refers to a node that contains it" };
  return { ok: true, value, doc };
}

/**
 * The most common YAML mistake in a workflow: a shell command written as a plain value, whose
 * `: `, quotes or braces YAML reads as structure (`command: printf '{"rows": 5000}' > out`).
 * The parser then reports several errors that say nothing of the cause; this says it once,
 * with the fix. Null when no error falls on a `key: value` line that looks like it.
 */
function unquotedValueHint(
  text: string,
  errors: readonly { readonly linePos?: ReadonlyArray<{ readonly line: number }> }[],
): string | null {
  const lines = text.split(/\r?\n/);
  for (const err of errors) {
    const n = err.linePos?.[0]?.line;
    if (n === undefined) continue;
    const line = lines[n - 1] ?? "";
    const m = /^(\s*(?:-\s+)?)([A-Za-z_][\w-]*):\s+(.+)$/.exec(line);
    if (!m) continue;
    const [, lead, key, value] = m as unknown as [string, string, string, string];
    if (/^[|>]/.test(value)) continue;
    // Only a value with something YAML reads as structure; `b: 3` after an unclosed `[` is not it.
    if (!/["'{}[\]]|: /.test(value)) continue;
    const wholeQuoted = /^(['"]).*\1\s*(#.*)?$/.test(value) && !/^(['"])[^'"]*\1\s*\S/.test(value);
    if (wholeQuoted) continue;
    const indent = " ".repeat(lead.length + 2);
    return [
      `line ${n}: the value of "${key}" is not quoted, and YAML reads its quotes, ": " or braces as structure:`,
      `    ${line.trim()}`,
      "write it as a block (nothing to escape):",
      `    ${key}: |`,
      `    ${indent.slice(lead.length)}${value}`,
      `or quote it as a whole: ${key}: ${JSON.stringify(value)}`,
    ].join("\n");
  }
  return null;
}

/** Whether some object of the value is inside itself; walked without recursion. */
function containsItself(value: unknown): boolean {
  const onPath = new Set<object>();
  const stack: Array<{ readonly node: unknown; readonly leaving: boolean }> = [
    { node: value, leaving: false },
  ];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { node, leaving } = next;
    if (typeof node !== "object" || node === null) continue;
    if (leaving) {
      onPath.delete(node);
      continue;
    }
    if (onPath.has(node)) return true;
    onPath.add(node);
    stack.push({ node, leaving: true });
    for (const child of Object.values(node)) stack.push({ node: child, leaving: false });
  }
  return false;
}

/** The deepest nesting of collections in the syntax tree, walked without recursion. */
function nestingDepth(tokens: readonly CST.Token[]): number {
  let deepest = 0;
  const stack: Array<readonly [CST.Token | undefined, number]> = tokens.map((t) => [t, 0]);
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [token, depth] = next;
    if (token === undefined) continue;
    switch (token.type) {
      case "document":
        stack.push([token.value, depth]);
        break;
      case "block-map":
      case "block-seq":
      case "flow-collection":
        deepest = Math.max(deepest, depth + 1);
        if (deepest > MAX_YAML_DEPTH) return deepest;
        for (const item of token.items) {
          if ("key" in item) stack.push([item.key ?? undefined, depth + 1]);
          stack.push([item.value, depth + 1]);
        }
        break;
      default:
        break;
    }
  }
  return deepest;
}
