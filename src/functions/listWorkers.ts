import type { HttpHandler } from "@azure/functions";
import { z } from "zod";
import { listWorkers } from "../engine/workers.js";
import { jsonEndpoint } from "./http/jsonEndpoint.js";
import { parseQuery } from "./http/parseRequest.js";
import type { Runtime } from "./runtime.js";

/**
 * GET workers → `{ workers: [...] }`: every worker with a heartbeat in the last hour, live or
 * lost (`live`), with its queues, concurrency, running tasks, version and times.
 */
export function listWorkersHandler(rt: Runtime): HttpHandler {
  return jsonEndpoint(async (request) => {
    parseQuery(request, z.strictObject({}));
    return { status: 200, jsonBody: { workers: await listWorkers(await rt.engine()) } };
  });
}
