import { z } from "zod";

/**
 * The workflow's signals blob (`signals_blob` in a task message): what workers poll while a task
 * runs. The coordinator writes it whole; workers read it and validate it, since it crosses a
 * process boundary (and may be written by a coordinator of another version: unknown fields are
 * ignored, missing lists are empty).
 */
export const SignalsSchema = z.object({
  /** The workflow was cancelled: every attempt of it stops. */
  cancelled: z.boolean().default(false),
  reason: z.string().optional(),
  /** `task#attempt` of zombie attempts to stop (a stale attempt that started late). */
  kill: z.array(z.string()).default([]),
});
export type Signals = z.output<typeof SignalsSchema>;
