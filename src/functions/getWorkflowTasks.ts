import type { HttpHandler } from "@azure/functions";
import { z } from "zod";
import { TASK_SORTS, TASK_STATES } from "../core/index.js";
import { getTasks } from "../engine/queries.js";
import { getTaskWindow } from "../engine/taskQueries.js";
import { conditionalGet } from "./http/conditionalGet.js";
import { HttpError, notFound } from "./http/httpError.js";
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
  sort: z.enum(TASK_SORTS).optional(),
  order: z.enum(["asc", "desc"]).optional(),
  offset: z
    .string()
    .regex(/^\d{1,9}$/, "expected a whole number")
    .transform(Number)
    .optional(),
});

/**
 * GET workflows/{id}/tasks?prefix=&status=a,b&after=&limit=: tasks in name order, paged by the
 * `after` cursor → `{ tasks, next }`. With `sort`, `order` or `offset` it answers a window of a
 * sorted list instead → `{ tasks, total, offset }` (a virtualized table jumps by offset).
 */
export function getWorkflowTasksHandler(rt: Runtime): HttpHandler {
  return jsonEndpoint(async (request) => {
    const { id } = parseParams(request, Params);
    const q = parseQuery(request, Query);
    const filter = {
      ...(q.prefix !== undefined ? { prefix: q.prefix } : {}),
      ...(q.status ? { status: q.status } : {}),
    };
    const limit = q.limit ?? DEFAULT_LIMIT;
    const windowed = q.sort !== undefined || q.order !== undefined || q.offset !== undefined;
    if (windowed && q.after !== undefined) {
      throw new HttpError(
        400,
        "invalid query: after pages in name order; with sort, order or offset, page by offset",
        {
          issues: [{ path: "after", message: "not allowed with sort, order or offset" }],
        },
      );
    }
    if (windowed) {
      const offset = q.offset ?? 0;
      const window = await getTaskWindow(await rt.engine(), id, {
        ...filter,
        ...(q.sort ? { sort: q.sort } : {}),
        descending: q.order === "desc",
        offset,
        limit,
      });
      if (!window) throw notFound(`no workflow "${id}"`);
      return conditionalGet(request, { status: 200, jsonBody: { ...window, offset } });
    }
    const page = await getTasks(await rt.engine(), id, {
      ...filter,
      ...(q.after !== undefined ? { after: q.after } : {}),
      limit,
    });
    if (!page) throw notFound(`no workflow "${id}"`);
    return conditionalGet(request, { status: 200, jsonBody: page });
  });
}
