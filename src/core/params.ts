import type { WorkflowDefinition } from "./definition.js";
import { LIMITS } from "./definition.js";
import { invalid } from "./definitionIssues.js";
import { ErrorCode, type Issue } from "./errors.js";
import { type Json, jsonIssue } from "./json.js";
import { utf8Length } from "./messageSize.js";

/** Parameter values a submission gives, by name, to replace the definition's defaults. */
export type ParamValues = Readonly<Record<string, Json>>;

/**
 * The definition with the overrides in place of the defaults: the form that is stored, run and
 * shown. An override must name a declared parameter and have its default's JSON type (a null
 * default takes anything): a typo or a string where a number was meant is refused, each at its
 * path (`params.lr`), rather than reaching the tasks.
 */
export function applyParams(def: WorkflowDefinition, overrides: ParamValues): WorkflowDefinition {
  const names = Object.keys(overrides);
  if (names.length === 0) return def;
  const declared = def.params ?? {};
  const issues: Issue[] = [];
  for (const name of names) {
    const value = overrides[name] as Json;
    const path = `params.${name}`;
    if (!Object.hasOwn(declared, name)) {
      const known = Object.keys(declared);
      issues.push({
        path,
        code: ErrorCode.INVALID_DEFINITION,
        message: `no parameter "${name}" in the definition (${known.length > 0 ? `it has ${known.join(", ")}` : "it declares none"})`,
      });
      continue;
    }
    const bad = jsonIssue(value, LIMITS.maxOutputDepth);
    if (bad !== undefined) {
      issues.push({
        path,
        code: ErrorCode.INVALID_DEFINITION,
        message: `not a JSON value: ${bad}`,
      });
      continue;
    }
    const want = jsonType(declared[name] as Json);
    const got = jsonType(value);
    if (want !== "null" && want !== got)
      issues.push({
        path,
        code: ErrorCode.INVALID_DEFINITION,
        message: `expected ${want} (the type of its default), got ${got}`,
      });
  }
  if (issues.length > 0) throw invalid(issues);
  return { ...def, params: { ...declared, ...overrides } };
}

/** Why the parameters are too large to travel in every task message, if they are. */
export function paramsSizeIssue(params: ParamValues): string | undefined {
  const bytes = paramsBytes(params);
  if (bytes <= LIMITS.maxParamsBytes) return undefined;
  return `the parameters take ${bytes} bytes as JSON, over ${LIMITS.maxParamsBytes}: they travel in every task message; put large data in a file the tasks read`;
}

export function paramsBytes(params: ParamValues): number {
  return Object.keys(params).length === 0 ? 0 : utf8Length(JSON.stringify(params));
}

export type JsonType = "null" | "boolean" | "number" | "string" | "list" | "object";

export function jsonType(v: Json): JsonType {
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  return typeof v === "object" ? "object" : (typeof v as "boolean" | "number" | "string");
}
