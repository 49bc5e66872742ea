import type { HttpHandler } from "@azure/functions";
import { z } from "zod";
import { getTaskLog } from "../engine/taskLog.js";
import { notFound } from "./http/httpError.js";
import { jsonEndpoint } from "./http/jsonEndpoint.js";
import { parseParams, parseQuery } from "./http/parseRequest.js";
import { TaskNameParam, WorkflowIdParam } from "./http/requestSchemas.js";
import type { Runtime } from "./runtime.js";

const Params = z.strictObject({ id: WorkflowIdParam, task: TaskNameParam });

const WholeNumber = z
  .string()
  .regex(/^\d{1,15}$/, "expected a whole number")
  .transform(Number);
const Query = z.strictObject({
  attempt: WholeNumber.pipe(z.int().min(1, "must be at least 1").max(1000)).optional(),
  offset: WholeNumber.optional(),
});

/**
 * GET workflows/{id}/tasks/{task}/logs?attempt=&offset= → one attempt's log (stdout and stderr
 * with timestamps) from a byte offset: `{ task, status, attempt, attempts, exists, offset, next,
 * text, complete }`. Not conditional: a follower asks from `next`, so each answer is new.
 */
export function getTaskLogHandler(rt: Runtime): HttpHandler {
  return jsonEndpoint(async (request) => {
    const { id, task } = parseParams(request, Params);
    const q = parseQuery(request, Query);
    const found = await getTaskLog(await rt.engine(), id, task, {
      ...(q.attempt === undefined ? {} : { attempt: q.attempt }),
      ...(q.offset === undefined ? {} : { offset: q.offset }),
    });
    if (!found) throw notFound(`no workflow "${id}"`);
    if (found === "no task") throw notFound(`workflow "${id}" has no task "${task}"`);
    return { status: 200, jsonBody: found.value };
  });
}
