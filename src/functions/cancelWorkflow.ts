import type { HttpHandler } from "@azure/functions";
import { z } from "zod";
import { assertNever } from "../core/index.js";
import { cancelWorkflow } from "../engine/cancel.js";
import { HttpError, notFound } from "./http/httpError.js";
import { jsonEndpoint } from "./http/jsonEndpoint.js";
import { parseOptionalJsonBody, parseParams } from "./http/parseRequest.js";
import { WorkflowIdParam } from "./http/requestSchemas.js";
import type { Runtime } from "./runtime.js";

const Params = z.strictObject({ id: WorkflowIdParam });
const Body = z.strictObject({ reason: z.string().min(1).max(500).optional() });

/**
 * POST workflows/{id}/cancel, optional body `{ reason }` → 202: applied at once, or parked for
 * the instance holding the workflow's lease, which applies it within a moment.
 */
export function cancelWorkflowHandler(rt: Runtime): HttpHandler {
  return jsonEndpoint(async (request, context) => {
    const { id } = parseParams(request, Params);
    const { reason } = await parseOptionalJsonBody(
      request,
      rt.settings.DAGQ_MAX_REQUEST_BYTES,
      Body,
    );
    const outcome = await cancelWorkflow(await rt.engine(), id, reason);
    switch (outcome) {
      case null:
        throw notFound(`no workflow "${id}"`);
      case "applied":
      case "parked":
        context.log(`workflow ${id}: cancel ${outcome}`);
        return { status: 202, jsonBody: { id, cancel: outcome } };
      case "busy":
        // Only an empty submission can come back busy; kept so a change there cannot pass silently.
        throw new HttpError(503, "the workflow is busy, try again", undefined, {
          "retry-after": "1",
        });
      default:
        return assertNever(outcome, "cancel outcome");
    }
  });
}
