import { z } from "zod";

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
