import type { HttpHandler } from "@azure/functions";
import { z } from "zod";
import { WORKFLOW_STATES } from "../core/index.js";
import { decodeCursor, listWorkflows } from "../engine/queries.js";
import { conditionalGet } from "./http/conditionalGet.js";
import { jsonEndpoint } from "./http/jsonEndpoint.js";
import { parseQuery } from "./http/parseRequest.js";
import { limitParam } from "./http/requestSchemas.js";
import type { Runtime } from "./runtime.js";

const Query = z.strictObject({
  status: z.enum(WORKFLOW_STATES).optional(),
  limit: limitParam(1000).optional(),
  cursor: z
    .string()
    .max(200)
    .transform((c, ctx) => {
      const at = decodeCursor(c);
      if (at === null)
        ctx.addIssue({ code: "custom", message: "not a cursor from a previous page" });
      return at ?? z.NEVER;
    })
    .optional(),
  /** Part of the workflow's name, any case. */
  name: z.string().min(1).max(256).optional(),
});

/** GET workflows?status=&name=&limit=&cursor=: newest first, paged by the `next` cursor. */
export function listWorkflowsHandler(rt: Runtime): HttpHandler {
  return jsonEndpoint(async (request) => {
    const q = parseQuery(request, Query);
    const page = await listWorkflows(await rt.engine(), {
      ...(q.status ? { status: q.status } : {}),
      ...(q.limit ? { limit: q.limit } : {}),
      ...(q.cursor ? { after: q.cursor } : {}),
      ...(q.name ? { name: q.name } : {}),
    });
    return conditionalGet(request, { status: 200, jsonBody: page });
  });
}
