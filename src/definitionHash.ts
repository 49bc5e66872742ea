import { createHash } from "node:crypto";
import type { WorkflowDefinition } from "./core/index.js";

/**
 * A fingerprint of a definition as dagq stores it (parsed, defaults applied, parameters
 * resolved): the SHA-256 of its canonical JSON, keys sorted at every level, so two documents
 * that mean the same (keys in another order, YAML or JSON) have the same hash. Idempotent
 * submission compares it to tell a retry from a different workflow under the same id;
 * `run-local --resume` to refuse a state saved for another definition.
 */
export function definitionHash(def: WorkflowDefinition): string {
  return createHash("sha256").update(canonicalJson(def)).digest("hex");
}

/**
 * JSON with object keys sorted. Written here rather than taken from a package: a dozen lines
 * over a value zod has already validated (plain data, nesting bounded), where a dependency
 * would add to the Function App's bundle.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const keys = Object.keys(value).sort();
    const record = value as Record<string, unknown>;
    const fields = keys
      .filter((k) => record[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`);
    return `{${fields.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
