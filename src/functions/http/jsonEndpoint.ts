import type {
  HttpHandler,
  HttpRequest,
  HttpResponseInit,
  InvocationContext,
} from "@azure/functions";
import { assertNever, DagqError, type ErrorCode } from "../../core/index.js";
import { HttpError, jsonError } from "./httpError.js";

/**
 * Wraps an HTTP handler so that every failure becomes a JSON error with the right status:
 * refusals (HttpError) and definition errors (DagqError) as 4xx with their details, anything
 * else as a generic 500 whose details go to the log only, never to the client.
 */
export function jsonEndpoint(
  fn: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>,
): HttpHandler {
  return async (request, context) => {
    try {
      return await fn(request, context);
    } catch (e) {
      if (e instanceof HttpError) return jsonError(e.status, e.message, e.details, e.headers);
      if (e instanceof DagqError) {
        return jsonError(statusOf(e.code), e.message, { code: e.code, ...e.details });
      }
      context.error(`${request.method} ${new URL(request.url).pathname} failed:`, e);
      return jsonError(500, "internal error", { invocationId: context.invocationId });
    }
  };
}

function statusOf(code: ErrorCode): number {
  switch (code) {
    case "INVALID_DEFINITION":
    case "DUPLICATE_TASK":
    case "UNKNOWN_TASK":
    case "CYCLE":
    case "BAD_DEP_POLICY":
    case "CONDITION_SYNTAX":
    case "CONDITION_REFERENCE":
    case "CONDITION_TYPE":
      return 400;
    case "TOO_LARGE":
      return 413;
    case "INVALID_STATE":
      return 409;
    default:
      return assertNever(code, "error code");
  }
}
