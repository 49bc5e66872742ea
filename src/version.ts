import { readFileSync } from "node:fs";

/**
 * dagq's version, from the package.json two folders up (src/ under tsx, dist/ once built).
 * Read on first use, not at import: the Function App's bundle has no package.json beside it,
 * and only the CLI and the worker ask.
 */
let cached: string | undefined;
export function dagqVersion(): string {
  if (cached !== undefined) return cached;
  try {
    const text = readFileSync(new URL("../package.json", import.meta.url), "utf8");
    cached = String((JSON.parse(text) as { version?: unknown }).version ?? "unknown");
  } catch {
    cached = "unknown";
  }
  return cached;
}
