import type { HttpHandler } from "@azure/functions";
import { z } from "zod";
import { getTaskOutput } from "../engine/taskQueries.js";
import { conditionalGet } from "./http/conditionalGet.js";
import { notFound } from "./http/httpError.js";
import { jsonEndpoint } from "./http/jsonEndpoint.js";
import { parseParams, parseQuery } from "./http/parseRequest.js";
import { TaskNameParam, WorkflowIdParam } from "./http/requestSchemas.js";
import type { Runtime } from "./runtime.js";

const Params = z.strictObject({ id: WorkflowIdParam, task: TaskNameParam });

/**
 * GET workflows/{id}/tasks/{task}/output → `{ task, status, output, spilledBytes }`: the output
 * of a completed task (null otherwise), read from its blob when it was too large to keep inline.
 */
export function getTaskOutputHandler(rt: Runtime): HttpHandler {
  return jsonEndpoint(async (request) => {
    const { id, task } = parseParams(request, Params);
    parseQuery(request, z.strictObject({}));
    const found = await getTaskOutput(await rt.engine(), id, task);
    if (!found) throw notFound(`no workflow "${id}"`);
    if (found === "no task") throw notFound(`workflow "${id}" has no task "${task}"`);
    return conditionalGet(request, { status: 200, jsonBody: found.value });
  });
}
