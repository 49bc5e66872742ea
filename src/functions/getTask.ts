import type { HttpHandler } from "@azure/functions";
import { z } from "zod";
import { getTaskDetail } from "../engine/taskQueries.js";
import { conditionalGet } from "./http/conditionalGet.js";
import { notFound } from "./http/httpError.js";
import { jsonEndpoint } from "./http/jsonEndpoint.js";
import { parseParams, parseQuery } from "./http/parseRequest.js";
import { TaskNameParam, WorkflowIdParam } from "./http/requestSchemas.js";
import type { Runtime } from "./runtime.js";

const Params = z.strictObject({ id: WorkflowIdParam, task: TaskNameParam });

/**
 * GET workflows/{id}/tasks/{task} (`/` in the name sent as `%2F`): one task's state, attempt,
 * times, reason, command, dependencies, condition outcome and inputs. Conditional.
 */
export function getTaskHandler(rt: Runtime): HttpHandler {
  return jsonEndpoint(async (request) => {
    const { id, task } = parseParams(request, Params);
    parseQuery(request, z.strictObject({}));
    const found = await getTaskDetail(await rt.engine(), id, task);
    if (!found) throw notFound(`no workflow "${id}"`);
    if (found === "no task") throw notFound(`workflow "${id}" has no task "${task}"`);
    return conditionalGet(request, { status: 200, jsonBody: found.value });
  });
}
