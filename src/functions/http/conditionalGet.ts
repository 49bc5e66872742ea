import { createHash } from "node:crypto";
import type { HttpRequest, HttpResponseInit } from "@azure/functions";

/**
 * Conditional reads for the API's GETs: a 200 JSON answer gets an ETag computed from its body,
 * and a request whose If-None-Match names it gets 304 with no body. A poller (the dashboard
 * polls every two seconds) thus receives a workflow's graph, status or task page only when it
 * changed. The body is hashed rather than versioned because it depends on the query as well as
 * on the state (a page of 100 tasks can be unchanged while others changed); the server-side
 * read underneath is already incremental (StateStore.loadForRead).
 */
export function conditionalGet(request: HttpRequest, response: HttpResponseInit): HttpResponseInit {
  if ((response.status ?? 200) !== 200 || response.jsonBody === undefined) return response;
  const body = JSON.stringify(response.jsonBody);
  const etag = `W/"${createHash("sha1").update(body).digest("base64url")}"`;
  const headers = {
    ...(response.headers as Record<string, string> | undefined),
    etag,
    // Stored, but checked with the server before every use: the dashboard must see changes.
    "cache-control": "no-cache",
  };
  if (matches(request.headers.get("if-none-match"), etag)) return { status: 304, headers };
  return {
    status: 200,
    body,
    headers: { ...headers, "content-type": "application/json" },
  };
}

/** If-None-Match is `*` or a list of tags; the weak comparison applies (RFC 9110 §13.1.2). */
function matches(header: string | null, etag: string): boolean {
  if (header === null) return false;
  if (header.trim() === "*") return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => opaque(tag) === opaque(etag));
}
