import type { HttpHandler } from "@azure/functions";
import { z } from "zod";
import { getOverview } from "../engine/queries.js";
import { conditionalGet } from "./http/conditionalGet.js";
import { jsonEndpoint } from "./http/jsonEndpoint.js";
import { parseQuery } from "./http/parseRequest.js";
import type { Runtime } from "./runtime.js";

/** GET summary: workflows by state, and the task counts of the running ones. */
export function summaryHandler(rt: Runtime): HttpHandler {
  return jsonEndpoint(async (request) => {
    parseQuery(request, z.strictObject({}));
    return conditionalGet(request, { status: 200, jsonBody: await getOverview(await rt.engine()) });
  });
}
