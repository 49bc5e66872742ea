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
    const shown = doc.errors.slice(0, 5).map((err) => err.message.trimEnd());
    return { ok: false, message: `invalid YAML: ${shown.join("\n")}` };
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
