import type { HttpHandler } from "@azure/functions";
import { z } from "zod";
import { purgeWorkflow } from "../engine/purge.js";
import { notFound } from "./http/httpError.js";
import { jsonEndpoint } from "./http/jsonEndpoint.js";
import { parseParams } from "./http/parseRequest.js";
import { WorkflowIdParam } from "./http/requestSchemas.js";
import type { Runtime } from "./runtime.js";

const Params = z.strictObject({ id: WorkflowIdParam });

/** DELETE workflows/{id}: purges one workflow, running or not → 204, or 404. */
export function deleteWorkflowHandler(rt: Runtime): HttpHandler {
  return jsonEndpoint(async (request, context) => {
    const { id } = parseParams(request, Params);
    if (!(await purgeWorkflow(await rt.engine(), id))) throw notFound(`no workflow "${id}"`);
    context.log(`workflow ${id}: purged`);
    return { status: 204 };
  });
}
