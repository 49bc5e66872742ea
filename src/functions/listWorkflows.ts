import type { HttpHandler } from "@azure/functions";
import { z } from "zod";
import { WORKFLOW_STATES } from "../core/index.js";
import { listWorkflows } from "../engine/queries.js";
import { jsonEndpoint } from "./http/jsonEndpoint.js";
import { parseQuery } from "./http/parseRequest.js";
import { limitParam } from "./http/requestSchemas.js";
import type { Runtime } from "./runtime.js";

const Query = z.strictObject({
  status: z.enum(WORKFLOW_STATES).optional(),
  limit: limitParam(1000).optional(),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/, "not a cursor from a previous page")
    .optional(),
});

/** GET workflows?status=&limit=&cursor=: newest first, paged by the `next` cursor. */
export function listWorkflowsHandler(rt: Runtime): HttpHandler {
  return jsonEndpoint(async (request) => {
    const q = parseQuery(request, Query);
    const page = await listWorkflows(await rt.engine(), {
      ...(q.status ? { status: q.status } : {}),
      ...(q.limit ? { limit: q.limit } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
    });
    return { status: 200, jsonBody: page };
  });
}
