import type { HttpHandler } from "@azure/functions";
import { z } from "zod";
import { GraphRequestError } from "../core/index.js";
import { getGraph } from "../engine/graphQuery.js";
import { conditionalGet } from "./http/conditionalGet.js";
import { HttpError, notFound } from "./http/httpError.js";
import { jsonEndpoint } from "./http/jsonEndpoint.js";
import { parseParams, parseQuery } from "./http/parseRequest.js";
import { WorkflowIdParam } from "./http/requestSchemas.js";
import type { Runtime } from "./runtime.js";

const Params = z.strictObject({ id: WorkflowIdParam });
/** A group is a task-name prefix ending in `/` (`train/`, `a/b/`), or `/` for ungrouped tasks. */
const Group = z
  .string()
  .regex(
    /^(\/|([A-Za-z0-9_][A-Za-z0-9_.-]*\/)+)$/,
    "not a group: a name prefix ending in / (or / alone)",
  );
const Query = z.strictObject({
  /** Comma-separated groups to draw task by task. */
  expand: z
    .string()
    .transform((s) => s.split(","))
    .pipe(z.array(Group).max(50, "at most 50 groups"))
    .optional(),
});

/**
 * GET workflows/{id}/graph?expand=train/,eval/: the workflow's status and its graph, task by
 * task when small and collapsed by group and layer when large (core/graphView.ts). Conditional.
 */
export function getWorkflowGraphHandler(rt: Runtime): HttpHandler {
  return jsonEndpoint(async (request) => {
    const { id } = parseParams(request, Params);
    const { expand } = parseQuery(request, Query);
    let graph: Awaited<ReturnType<typeof getGraph>>;
    try {
      graph = await getGraph(await rt.engine(), id, expand ?? []);
    } catch (e) {
      if (e instanceof GraphRequestError)
        throw new HttpError(400, e.message, { issues: [{ path: "expand", message: e.message }] });
      throw e;
    }
    if (!graph) throw notFound(`no workflow "${id}"`);
    return conditionalGet(request, { status: 200, jsonBody: graph });
  });
}
