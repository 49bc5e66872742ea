import type { HttpHandler, HttpRequest } from "@azure/functions";
import { z } from "zod";
import { jsonValue, LIMITS, PARAM_NAME_PATTERN } from "../core/index.js";
import { type SubmitOptions, submitWorkflow } from "../engine/submit.js";
import { HttpError } from "./http/httpError.js";
import { jsonEndpoint } from "./http/jsonEndpoint.js";
import { parseBody } from "./http/parseRequest.js";
import { readDocument, yamlBody } from "./http/readDocument.js";
import { WorkflowIdParam } from "./http/requestSchemas.js";
import { resourceUrl } from "./http/resourceUrl.js";
import type { Runtime } from "./runtime.js";

/**
 * The body is a definition, or an envelope around one with an id and parameter values. A
 * definition has `tasks`; an envelope has `definition` and nothing a definition has.
 */
const Envelope = z.strictObject({
  /** The definition as an object, or as its YAML (or JSON) text. */
  definition: z.union([z.record(z.string(), z.unknown()), z.string().min(1)]),
  id: WorkflowIdParam.optional(),
  params: z
    .record(z.string().regex(PARAM_NAME_PATTERN), jsonValue(LIMITS.maxOutputDepth))
    .optional(),
});

/**
 * POST workflows: a definition as JSON or YAML, or `{ definition, id?, params? }` → 201
 * `{ id, status, tasks, url }`. With an id (the envelope's or an `Idempotency-Key` header), the
 * same id with the same definition and parameters answers 200 with the workflow as it is, and
 * another definition under it 409: a client may retry a submission that timed out.
 */
export function submitWorkflowHandler(rt: Runtime): HttpHandler {
  return jsonEndpoint(async (request, context) => {
    const body = await readDocument(request, {
      maxBytes: rt.settings.DAGQ_MAX_REQUEST_BYTES,
      accept: ["json", "yaml"],
    });
    const { definition, opts } = submission(request, body);
    const submitted = await submitWorkflow(await rt.engine(), definition, opts);
    const { created, ...shown } = submitted;
    context.log(
      `workflow ${submitted.id}: ${created ? "submitted" : "submitted again (it exists)"}, ${submitted.tasks} tasks, ${submitted.status}`,
    );
    const url = resourceUrl(request.url, submitted.id);
    return {
      status: created ? 201 : 200,
      headers: { location: url },
      jsonBody: { ...shown, url },
    };
  });
}

function submission(
  request: HttpRequest,
  body: unknown,
): { definition: unknown; opts: SubmitOptions } {
  const header = request.headers.get("idempotency-key");
  const key = header === null ? undefined : parseKey(header);
  const isEnvelope =
    typeof body === "object" &&
    body !== null &&
    !Array.isArray(body) &&
    "definition" in body &&
    !("tasks" in body);
  if (!isEnvelope) return { definition: body, opts: key ? { id: key } : {} };
  const envelope = parseBody(body, Envelope);
  if (key !== undefined && envelope.id !== undefined && key !== envelope.id)
    throw new HttpError(
      400,
      `the Idempotency-Key header ("${key}") and the body's id ("${envelope.id}") differ`,
    );
  const id = envelope.id ?? key;
  const definition =
    typeof envelope.definition === "string" ? yamlBody(envelope.definition) : envelope.definition;
  return {
    definition,
    opts: { ...(id ? { id } : {}), ...(envelope.params ? { params: envelope.params } : {}) },
  };
}

function parseKey(header: string): string {
  const r = WorkflowIdParam.safeParse(header.trim());
  if (r.success) return r.data;
  throw new HttpError(
    400,
    "invalid Idempotency-Key header: a workflow id is 3 to 63 of a-z, 0-9 and -, starting with a letter or digit",
  );
}
