import type { HttpHandler } from "@azure/functions";
import { z } from "zod";
import { startPurge } from "../engine/purge.js";
import { jsonEndpoint } from "./http/jsonEndpoint.js";
import { parseBody } from "./http/parseRequest.js";
import { readDocument } from "./http/readDocument.js";
import { resourceUrl } from "./http/resourceUrl.js";
import type { Runtime } from "./runtime.js";

const Body = z.strictObject({
  scope: z.enum(["terminal", "all"]),
  drain_queues: z.boolean().optional(),
});

/** POST purge `{ scope, drain_queues? }` → 202 with the job; the control queue carries it out. */
export function startPurgeHandler(rt: Runtime): HttpHandler {
  return jsonEndpoint(async (request, context) => {
    const body = await readDocument(request, {
      maxBytes: rt.settings.DAGQ_MAX_REQUEST_BYTES,
      accept: ["json"],
    });
    const { scope, drain_queues } = parseBody(body, Body);
    const progress = await startPurge(await rt.engine(), scope, drain_queues ?? false);
    context.log(
      `purge ${progress.job}: started (${scope}, drain queues: ${drain_queues ?? false})`,
    );
    const url = resourceUrl(request.url, progress.job);
    return { status: 202, headers: { location: url }, jsonBody: { ...progress, url } };
  });
}
