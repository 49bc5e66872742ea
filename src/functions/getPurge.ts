import type { HttpHandler } from "@azure/functions";
import { z } from "zod";
import { getPurgeProgress } from "../engine/purge.js";
import { notFound } from "./http/httpError.js";
import { jsonEndpoint } from "./http/jsonEndpoint.js";
import { parseParams } from "./http/parseRequest.js";
import { PurgeJobParam } from "./http/requestSchemas.js";
import type { Runtime } from "./runtime.js";

const Params = z.strictObject({ job: PurgeJobParam });

/** GET purge/{job}: how far a purge job got. */
export function getPurgeHandler(rt: Runtime): HttpHandler {
  return jsonEndpoint(async (request) => {
    const { job } = parseParams(request, Params);
    const progress = await getPurgeProgress(await rt.engine(), job);
    if (!progress) throw notFound(`no purge job "${job}"`);
    return { status: 200, jsonBody: progress };
  });
}
