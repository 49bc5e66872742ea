import type { HttpHandler } from "@azure/functions";
import { z } from "zod";
import { assertNever, RunTaskNameSchema } from "../core/index.js";
import { rerunWorkflow } from "../engine/rerun.js";
import { HttpError, notFound } from "./http/httpError.js";
import { jsonEndpoint } from "./http/jsonEndpoint.js";
import { parseOptionalJsonBody, parseParams } from "./http/parseRequest.js";
import { WorkflowIdParam } from "./http/requestSchemas.js";
import type { Runtime } from "./runtime.js";

/** Names travel in one inbox entity (64 KiB at most): a group is chosen by `prefix` instead. */
export const MAX_RERUN_NAMES = 100;

const Params = z.strictObject({ id: WorkflowIdParam });
const Body = z.strictObject({
  tasks: z
    .array(RunTaskNameSchema)
    .min(1)
    .max(MAX_RERUN_NAMES, `at most ${MAX_RERUN_NAMES} task names: choose a group with prefix`)
    .optional(),
  prefix: z.string().min(1).max(256).optional(),
  failed: z.boolean().optional(),
  downstream: z.boolean().optional(),
});

/**
 * POST workflows/{id}/rerun, optional body `{ tasks?, prefix?, failed?, downstream? }` → 202
 * `{ id, rerun: applied|parked, tasks }`: the chosen tasks (by default every failed,
 * upstream_failed and cancelled one) and their descendants that did not complete run again.
 * 404 when the workflow does not exist (or was purged), 409 when there is nothing to rerun.
 */
export function rerunWorkflowHandler(rt: Runtime): HttpHandler {
  return jsonEndpoint(async (request, context) => {
    const { id } = parseParams(request, Params);
    const rerun = await parseOptionalJsonBody(request, rt.settings.DAGQ_MAX_REQUEST_BYTES, Body);
    const result = await rerunWorkflow(await rt.engine(), id, rerun);
    switch (result.kind) {
      case "gone":
        throw notFound(`no workflow "${id}"`);
      case "unknown":
        throw new HttpError(
          400,
          `no task ${result.tasks.map((t) => `"${t}"`).join(", ")} in workflow ${id}`,
          {
            tasks: result.tasks,
          },
        );
      case "refused":
        throw new HttpError(409, result.why);
      case "accepted":
        context.log(`workflow ${id}: rerun of ${result.tasks} task(s) ${result.outcome}`);
        return {
          status: 202,
          jsonBody: { id, rerun: result.outcome, tasks: result.tasks },
        };
      default:
        return assertNever(result, "rerun result");
    }
  });
}
