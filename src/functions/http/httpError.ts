import type { HttpResponseInit } from "@azure/functions";

/** A request the API refuses, with the status and body to answer it with. */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }
}

/** Every error the API sends has this one shape: `{ "error": message, "details"?: ... }`. */
export function jsonError(
  status: number,
  message: string,
  details?: unknown,
  headers?: Readonly<Record<string, string>>,
): HttpResponseInit {
  return {
    status,
    jsonBody: details === undefined ? { error: message } : { error: message, details },
    ...(headers ? { headers: { ...headers } } : {}),
  };
}

export function notFound(message: string): HttpError {
  return new HttpError(404, message);
}
