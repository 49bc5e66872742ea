import type { z } from "zod";
import { DEP_POLICIES } from "./definition.js";
import { formatPath, withTaskName } from "./definitionIssues.js";
import { ErrorCode, type Issue } from "./errors.js";

/**
 * Definition schema errors in a user's words: the field, the task, what was found and a hint,
 * never a bare library message such as "Invalid input" or "expected number, received string".
 * An unknown key gets a did-you-mean among the keys valid at its place.
 */

const TASK_KEYS = [
  "name",
  "command",
  "depends_on",
  "dep_policy",
  "condition",
  "num_retries",
  "retry_backoff_s",
  "timeout_s",
  "queue",
  "env",
  "condition_errors",
];
const WORKFLOW_KEYS = [
  "name",
  "description",
  "defaults",
  "result_policy",
  "max_parallelism",
  "tasks",
];
const DEFAULTS_KEYS = [
  "num_retries",
  "retry_backoff_s",
  "timeout_s",
  "queue",
  "env",
  "condition_errors",
];

const KIND_NAMES: Record<string, string> = {
  number: "a number",
  int: "a whole number",
  string: "a string",
  boolean: "true or false",
  array: "a list (e.g. [a, b])",
  object: "a mapping of keys to values",
};

export function describeIssues(input: unknown, issues: readonly z.core.$ZodIssue[]): Issue[] {
  return issues.flatMap((zi) => describe(input, zi));
}

function describe(input: unknown, zi: z.core.$ZodIssue): Issue[] {
  const at = (path: readonly PropertyKey[], message: string): Issue => ({
    path: formatPath(path),
    code: ErrorCode.INVALID_DEFINITION,
    message: withTaskName(input, path, message),
  });
  const path = zi.path;
  switch (zi.code) {
    case "unrecognized_keys": {
      const known = keysAt(path);
      return zi.keys.map((key) =>
        at([...path, key], `unknown key "${key}"${suggestKey(key, known)}`),
      );
    }
    case "invalid_type": {
      const value = valueAt(input, path);
      const field = fieldName(path);
      if (value === undefined)
        return [
          at(path, `${field ? `"${field}" is required` : "required"}: ${kindOf(zi.expected)}`),
        ];
      const quotedNumber =
        (zi.expected === "number" || zi.expected === "int") &&
        typeof value === "string" &&
        value.trim() !== "" &&
        Number.isFinite(Number(value));
      const hint = quotedNumber
        ? ` (write it without quotes: ${field}: ${value.trim()})`
        : zi.expected === "string" && typeof value === "object"
          ? ` (YAML read the text as structure: quote it as a whole, or write it as a block with "${field}: |" and the text on the next lines)`
          : "";
      return [at(path, `expected ${kindOf(zi.expected)}, got ${shown(value)}${hint}`)];
    }
    case "invalid_value": {
      const value = valueAt(input, path);
      const options = zi.values.map((v) => JSON.stringify(v)).join(", ");
      return [at(path, `${fieldName(path) ?? "value"} is one of ${options}; got ${shown(value)}`)];
    }
    case "invalid_union": {
      if (fieldName(path) === "dep_policy") {
        const options = DEP_POLICIES.map((p) => `"${p}"`).join(", ");
        return [
          at(
            path,
            `dep_policy is one of ${options} or an integer N ≥ 1 (at least N parents completed); got ${shown(valueAt(input, path))}`,
          ),
        ];
      }
      return [at(path, `${zi.message}; got ${shown(valueAt(input, path))}`)];
    }
    default:
      return [at(path, zi.message)];
  }
}

function kindOf(expected: string): string {
  return KIND_NAMES[expected] ?? expected;
}

/** A found value as a user would recognise it: the string "two", the number 3, a list. */
function shown(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null (an empty value)";
  if (typeof v === "string")
    return `the string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 59)}…` : v)}`;
  if (typeof v === "number" || typeof v === "boolean") return `${typeof v} ${String(v)}`;
  if (Array.isArray(v)) return "a list";
  return "a mapping";
}

function fieldName(path: readonly PropertyKey[]): string | undefined {
  const last = path.at(-1);
  return typeof last === "string" ? last : undefined;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const seg of path) {
    if (typeof cur !== "object" || cur === null) return undefined;
    if (!Object.hasOwn(cur, seg)) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

/** The keys valid at an object's path: the workflow, a task, or the defaults. */
function keysAt(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return WORKFLOW_KEYS;
  if (path.length === 2 && path[0] === "tasks") return TASK_KEYS;
  if (path.length === 1 && path[0] === "defaults") return DEFAULTS_KEYS;
  return [];
}

/**
 * " (did you mean "depends_on"?)" for a key close to a known one: the same in another case or
 * with `-` for `_`, in camelCase, a prefix of it (timeout → timeout_s), or within two edits.
 */
export function suggestKey(key: string, known: readonly string[]): string {
  const norm = (s: string) =>
    s
      .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
      .toLowerCase()
      .replace(/-/g, "_");
  const k = norm(key);
  const found =
    known.find((c) => norm(c) === k) ??
    known.find((c) => k.length >= 3 && (c.startsWith(k) || k.startsWith(c))) ??
    known.find((c) => k.length >= 4 && (c.includes(k) || k.includes(c))) ??
    known.find((c) => distance(c, k) <= (k.length > 4 ? 2 : 1));
  return found === undefined ? "" : ` (did you mean "${found}"?)`;
}

/** Levenshtein distance; keys are short, so the quadratic table is fine. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(
        prev[j]! + 1,
        cur[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    prev = cur;
  }
  return prev[b.length]!;
}
