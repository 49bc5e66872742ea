import type { HttpHandler } from "@azure/functions";
import { z } from "zod";
import { getStatus } from "../engine/queries.js";
import { conditionalGet } from "./http/conditionalGet.js";
import { notFound } from "./http/httpError.js";
import { jsonEndpoint } from "./http/jsonEndpoint.js";
import { parseParams, parseQuery } from "./http/parseRequest.js";
import { BooleanParam, WorkflowIdParam } from "./http/requestSchemas.js";
import type { Runtime } from "./runtime.js";

const Params = z.strictObject({ id: WorkflowIdParam });
const Query = z.strictObject({ detail: BooleanParam.optional() });

/**
 * GET workflows/{id}: the status from the index; `?detail=true` reads the state, with layers.
 * Conditional: 304 when If-None-Match names the current answer.
 */
export function getWorkflowHandler(rt: Runtime): HttpHandler {
  return jsonEndpoint(async (request) => {
    const { id } = parseParams(request, Params);
    const { detail } = parseQuery(request, Query);
    const status = await getStatus(await rt.engine(), id, detail ?? false);
    if (!status) throw notFound(`no workflow "${id}"`);
    return conditionalGet(request, { status: 200, jsonBody: status });
  });
}
