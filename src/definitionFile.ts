import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { type Document, LineCounter } from "yaml";
import {
  type CompiledWorkflow,
  compileDefinition,
  DagqError,
  ErrorCode,
  type Issue,
  type ParamValues,
} from "./core/index.js";
import { toError } from "./toError.js";
import { parseYaml as parseYamlText } from "./yamlDocument.js";

const MAX_SHOWN = 50;

/**
 * Reads a workflow definition file and compiles it. `.json` is parsed as JSON; anything else as
 * YAML (a superset). Every error is a DagqError whose message starts with the file path, and
 * for YAML each definition issue also names its line, so the user can jump to it.
 */
export function loadDefinitionFile(
  path: string,
  opts: { readonly params?: ParamValues } = {},
): CompiledWorkflow {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "ENOENT" ? "no such file" : err.message;
    throw new DagqError(ErrorCode.INVALID_DEFINITION, `${path}: cannot read: ${why}`, {
      file: path,
    });
  }
  const parsed =
    extname(path).toLowerCase() === ".json" ? parseJson(path, text) : parseYaml(path, text);
  try {
    return compileDefinition(parsed.value, opts);
  } catch (e) {
    if (!(e instanceof DagqError)) throw e;
    const issues = e.details.issues ?? [];
    const message =
      issues.length > 0
        ? `invalid workflow definition:\n${formatWithLines(issues, parsed.lineOf)}`
        : e.message;
    throw new DagqError(e.code, `${path}: ${message}`, { ...e.details, file: path }, e.retryable);
  }
}

interface Parsed {
  readonly value: unknown;
  /** The 1-based line of a definition path such as `tasks[3].depends_on[1]`, when known. */
  readonly lineOf: (path: string) => number | undefined;
}

function parseJson(path: string, text: string): Parsed {
  try {
    return { value: JSON.parse(text), lineOf: () => undefined };
  } catch (e) {
    const message = toError(e).message;
    const at = /position (\d+)/.exec(message);
    const where = at ? ` (line ${lineCol(text, Number(at[1]))})` : "";
    throw new DagqError(ErrorCode.INVALID_DEFINITION, `${path}: invalid JSON${where}: ${message}`, {
      file: path,
    });
  }
}

function parseYaml(path: string, text: string): Parsed {
  const lines = new LineCounter();
  const parsed = parseYamlText(text, lines);
  if (!parsed.ok)
    throw new DagqError(ErrorCode.INVALID_DEFINITION, `${path}: ${parsed.message}`, {
      file: path,
    });
  return { value: parsed.value, lineOf: (p) => yamlLine(parsed.doc, lines, p) };
}

function yamlLine(doc: Document, lines: LineCounter, path: string): number | undefined {
  if (path === "") return undefined;
  const keys = [...path.matchAll(/\[(\d+)\]|([^.[\]]+)/g)].map((m) =>
    m[1] === undefined ? m[2]! : Number(m[1]),
  );
  // The deepest node that exists: a missing key is reported at the object that lacks it.
  for (let n = keys.length; n > 0; n--) {
    const node = doc.getIn(keys.slice(0, n), true) as
      | { range?: [number, number, number] }
      | undefined;
    if (node?.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

function formatWithLines(issues: readonly Issue[], lineOf: Parsed["lineOf"]): string {
  const shown = issues.slice(0, MAX_SHOWN).map((issue) => {
    const line = lineOf(issue.path);
    const text = issue.path ? `${issue.path}: ${issue.message}` : issue.message;
    return line === undefined ? text : `${text} (line ${line})`;
  });
  if (issues.length > MAX_SHOWN) shown.push(`… and ${issues.length - MAX_SHOWN} more`);
  return shown.join("\n");
}

function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset).split("\n");
  return `${before.length}, column ${before.at(-1)!.length + 1}`;
}
