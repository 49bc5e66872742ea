import type { HttpHandler } from "@azure/functions";
import { z } from "zod";
import { deleteWorkflow } from "../engine/purge.js";
import { notFound } from "./http/httpError.js";
import { jsonEndpoint } from "./http/jsonEndpoint.js";
import { parseParams } from "./http/parseRequest.js";
import { WorkflowIdParam } from "./http/requestSchemas.js";
import type { Runtime } from "./runtime.js";

const Params = z.strictObject({ id: WorkflowIdParam });

/**
 * DELETE workflows/{id}: purges one workflow, running or not → 204, or 404. The workflow is gone
 * for every reader at once; when it has more blobs than a request's time budget can delete (a
 * huge one, with many spilled outputs), the rest goes to the control queue and the answer is
 * 202 `{ id, done: false }`: no request comes near the host's 230 s HTTP limit.
 */
export function deleteWorkflowHandler(rt: Runtime): HttpHandler {
  return jsonEndpoint(async (request, context) => {
    const { id } = parseParams(request, Params);
    const purged = await deleteWorkflow(await rt.engine(), id);
    if (!purged) throw notFound(`no workflow "${id}"`);
    if (!purged.done) {
      context.log(`workflow ${id}: deleted; its remaining blobs go through the control queue`);
      return { status: 202, jsonBody: { id, done: false } };
    }
    context.log(`workflow ${id}: purged`);
    return { status: 204 };
  });
}
