import type { HttpRequest } from "@azure/functions";
import type { z } from "zod";
import { HttpError } from "./httpError.js";
import { readDocument } from "./readDocument.js";

/**
 * The Functions host's own parameters, no query of ours: `code` carries a function key (the host
 * checks it), and `clientId` may name that key (`?code=<key>&clientId=<key name>`).
 */
const HOST_PARAMETERS: ReadonlySet<string> = new Set(["code", "clientId"]);

/** The query string validated by `schema` (a strict object): 400 naming each bad parameter. */
export function parseQuery<S extends z.ZodType>(request: HttpRequest, schema: S): z.output<S> {
  const query: Record<string, string> = {};
  for (const [key, value] of request.query) {
    if (HOST_PARAMETERS.has(key)) continue;
    if (key in query) throw new HttpError(400, `query parameter "${key}" is given more than once`);
    query[key] = value;
  }
  return validate("query", query, schema);
}

/** The route parameters validated by `schema`. */
export function parseParams<S extends z.ZodType>(request: HttpRequest, schema: S): z.output<S> {
  return validate("path", { ...request.params }, schema);
}

/** A request body validated by `schema`, after it has been parsed as JSON or YAML. */
export function parseBody<S extends z.ZodType>(body: unknown, schema: S): z.output<S> {
  return validate("body", body, schema);
}

/** An optional JSON body (an action's options), validated; no body reads as `{}`. */
export async function parseOptionalJsonBody<S extends z.ZodType>(
  request: HttpRequest,
  maxBytes: number,
  schema: S,
): Promise<z.output<S>> {
  const body = await readDocument(request, { maxBytes, accept: ["json"], optional: true });
  return parseBody(body ?? {}, schema);
}

function validate<S extends z.ZodType>(where: string, input: unknown, schema: S): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  const lines = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  throw new HttpError(400, `invalid ${where}: ${lines.join("; ")}`, { issues });
}
