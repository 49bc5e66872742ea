import type { HttpHandler } from "@azure/functions";
import { submitWorkflow } from "../engine/submit.js";
import { jsonEndpoint } from "./http/jsonEndpoint.js";
import { readDocument } from "./http/readDocument.js";
import { resourceUrl } from "./http/resourceUrl.js";
import type { Runtime } from "./runtime.js";

/** POST workflows: a definition as JSON or YAML → 201 `{ id, status, tasks, url }`. */
export function submitWorkflowHandler(rt: Runtime): HttpHandler {
  return jsonEndpoint(async (request, context) => {
    const definition = await readDocument(request, {
      maxBytes: rt.settings.DAGQ_MAX_REQUEST_BYTES,
      accept: ["json", "yaml"],
    });
    const submitted = await submitWorkflow(await rt.engine(), definition);
    context.log(
      `workflow ${submitted.id}: submitted, ${submitted.tasks} tasks, ${submitted.status}`,
    );
    const url = resourceUrl(request.url, submitted.id);
    return { status: 201, headers: { location: url }, jsonBody: { ...submitted, url } };
  });
}
