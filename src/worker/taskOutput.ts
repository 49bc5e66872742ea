import { readFile } from "node:fs/promises";
import { type Json, jsonIssue, LIMITS } from "../core/index.js";
import { toError } from "../toError.js";

export type TaskOutput =
  | { readonly ok: true; readonly value: Json | undefined }
  | { readonly ok: false; readonly error: string };

const PREVIEW_CHARS = 60;

/**
 * Reads what a task wrote to `$DAGQ_OUTPUT`. No file, or only whitespace, means the task set no
 * output; anything else must be one JSON document, or the attempt fails: a child would otherwise
 * run on inputs its parent never meant to give it.
 */
export async function readTaskOutput(path: string): Promise<TaskOutput> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { ok: true, value: undefined };
    return { ok: false, error: `cannot read $DAGQ_OUTPUT: ${toError(e).message}` };
  }
  if (text.trim() === "") return { ok: true, value: undefined };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const start = text.trimStart();
    const preview =
      start.length > PREVIEW_CHARS ? `${start.slice(0, PREVIEW_CHARS)}…` : start.trimEnd();
    return {
      ok: false,
      error: `$DAGQ_OUTPUT is not valid JSON (${toError(e).message}); it starts with ${JSON.stringify(preview)}`,
    };
  }
  // One limit for both paths: the serverless one must store, send and parse it again.
  const issue = jsonIssue(value, LIMITS.maxOutputDepth);
  if (issue !== undefined)
    return {
      ok: false,
      error: `$DAGQ_OUTPUT is not a valid output: ${issue} (see "Limits" in the README)`,
    };
  return { ok: true, value: value as Json };
}
