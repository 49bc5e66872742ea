import { z } from "zod";
import { RunTaskNameSchema } from "../../core/index.js";

/** The shape of ids `newWorkflowId` makes; anything else cannot name a workflow. */
export const WorkflowIdParam = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{2,62}$/, "not a dagq workflow id");

/** Purge job ids are 12 hex digits. */
export const PurgeJobParam = z.string().regex(/^[0-9a-f]{12}$/, "not a purge job id");

export const BooleanParam = z.enum(["true", "false"]).transform((v) => v === "true");

/** A page size from 1 to `max`, written as a plain whole number. */
export function limitParam(max: number) {
  return z
    .string()
    .regex(/^\d+$/, "expected a whole number")
    .transform(Number)
    .pipe(z.int().min(1, "must be at least 1").max(max, `must be at most ${max}`));
}

/**
 * A task name as a path segment, an instance of a map (`train[3]`) included. Names hold `/`
 * (`train/rf`), which a client sends as `%2F`; a host that leaves `%2F` encoded in route values
 * (ASP.NET Core does) is undone here, and so are an instance's brackets. Names cannot contain
 * `%`, so the decoding is unambiguous.
 */
export const TaskNameParam = z
  .string()
  .transform((s) => s.replace(/%2F/gi, "/").replace(/%5B/gi, "[").replace(/%5D/gi, "]"))
  .pipe(RunTaskNameSchema);
