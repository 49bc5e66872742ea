import type { HttpHandler } from "@azure/functions";
import { z } from "zod";
import { TaskNameSchema } from "../core/index.js";
import { getTaskOutput } from "../engine/queries.js";
import { notFound } from "./http/httpError.js";
import { jsonEndpoint } from "./http/jsonEndpoint.js";
import { parseParams, parseQuery } from "./http/parseRequest.js";
import { WorkflowIdParam } from "./http/requestSchemas.js";
import type { Runtime } from "./runtime.js";

const Params = z.strictObject({ id: WorkflowIdParam });
// Task names hold `/`, which a route segment cannot: the name is a query parameter.
const Query = z.strictObject({ task: TaskNameSchema });

/** GET workflows/{id}/output?task=NAME: the task, with its output resolved from its blob. */
export function getTaskOutputHandler(rt: Runtime): HttpHandler {
  return jsonEndpoint(async (request) => {
    const { id } = parseParams(request, Params);
    const { task } = parseQuery(request, Query);
    const found = await getTaskOutput(await rt.engine(), id, task);
    if (!found) throw notFound(`no workflow "${id}"`);
    if (!found.task) throw notFound(`workflow "${id}" has no task "${task}"`);
    return { status: 200, jsonBody: found };
  });
}
