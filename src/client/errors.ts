import { z } from "zod";
import { type Issue, IssueSchema } from "./schemas.js";

/**
 * The three ways a call can fail, so callers can branch on the class: the API refused the
 * request (DagqApiError), it could not be reached (DagqConnectionError), or it answered with
 * something this client does not understand (DagqResponseError).
 */

/** The API answered with an error status; `error` and `details` are its `{ error, details }`. */
export class DagqApiError extends Error {
  override readonly name = "DagqApiError";
  /** The problems a 400 lists in `details.issues` (definition issues carry a `code`); else []. */
  readonly issues: readonly Issue[];

  constructor(
    /** e.g. `GET /api/workflows/abc`. */
    readonly request: string,
    readonly status: number,
    readonly error: string,
    readonly details?: unknown,
  ) {
    super(`${status} ${error}`);
    this.issues = issuesOf(details);
  }
}

/** Nothing answered: connection refused, DNS, TLS, a reset, or a timeout. */
export class DagqConnectionError extends Error {
  override readonly name = "DagqConnectionError";
  constructor(
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A response that is not what the API documents: not JSON, or not the expected shape. */
export class DagqResponseError extends Error {
  override readonly name = "DagqResponseError";
  constructor(
    readonly request: string,
    readonly status: number,
    message: string,
  ) {
    super(`unexpected response to ${request} (${status}): ${message}`);
  }
}

function issuesOf(details: unknown): Issue[] {
  const r = z.object({ issues: z.array(IssueSchema) }).safeParse(details);
  return r.success ? r.data.issues : [];
}
