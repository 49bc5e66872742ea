import type { HttpHandler } from "@azure/functions";
import { z } from "zod";
import { TASK_STATES } from "../core/index.js";
import { getTasks } from "../engine/queries.js";
import { notFound } from "./http/httpError.js";
import { jsonEndpoint } from "./http/jsonEndpoint.js";
import { parseParams, parseQuery } from "./http/parseRequest.js";
import { limitParam, WorkflowIdParam } from "./http/requestSchemas.js";
import type { Runtime } from "./runtime.js";

const DEFAULT_LIMIT = 1000;
const Params = z.strictObject({ id: WorkflowIdParam });
const Query = z.strictObject({
  prefix: z.string().max(1024).optional(),
  /** A comma-separated list of task states. */
  status: z
    .string()
    .transform((s) => s.split(","))
    .pipe(z.array(z.enum(TASK_STATES)).min(1))
    .optional(),
  after: z.string().max(1024).optional(),
  limit: limitParam(10_000).optional(),
});

/** GET workflows/{id}/tasks?prefix=&status=a,b&after=&limit=: tasks in name order, paged. */
export function getWorkflowTasksHandler(rt: Runtime): HttpHandler {
  return jsonEndpoint(async (request) => {
    const { id } = parseParams(request, Params);
    const q = parseQuery(request, Query);
    const page = await getTasks(await rt.engine(), id, {
      ...(q.prefix !== undefined ? { prefix: q.prefix } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.after !== undefined ? { after: q.after } : {}),
      limit: q.limit ?? DEFAULT_LIMIT,
    });
    if (!page) throw notFound(`no workflow "${id}"`);
    return { status: 200, jsonBody: page };
  });
}
