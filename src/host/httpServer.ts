import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import functions, { type HttpResponseInit } from "@azure/functions";
import type { HttpFunction } from "../functions/registry.js";
import { silentTelemetry, type Telemetry } from "../observability/telemetry.js";
import { authorized, type HostKeys, presentedKey } from "./functionKeys.js";
import { withFunctionTimeout } from "./functionTimeout.js";
import { type HostLog, invocationContext } from "./invocationContext.js";
import { compileRoute } from "./routeTemplate.js";

export interface HttpServerOptions {
  readonly functions: readonly HttpFunction[];
  readonly routePrefix: string;
  readonly keys: HostKeys;
  readonly maxRequestBytes: number;
  /** host.json's functionTimeout: a request whose handler runs longer gets a 500. */
  readonly functionTimeoutMs?: number;
  /** 0 picks a free port. Always on loopback: this host is for development. */
  readonly port: number;
  readonly log: HostLog;
  readonly stats?: Telemetry;
}

export interface HttpServerHandle {
  readonly url: string;
  /** Stops accepting connections and waits for the requests in progress. */
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";
/**
 * An oversize body is read and dropped up to this much, so the client sees the 413 rather than
 * a reset; Azure's front end refuses requests over 100 MB itself.
 */
const DRAIN_LIMIT = 100 * 1024 * 1024;

/**
 * The HTTP side of the local host: routes requests under the route prefix to the functions'
 * templates (404 when no function has this path and method, as on Azure), checks function keys (401),
 * limits the body (413), converts to `HttpRequest`, and writes the handler's response back.
 */
export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServerHandle> {
  const routes = opts.functions
    .map((fn) => ({ fn, route: compileRoute(fn.trigger.route) }))
    .sort((a, b) => b.route.literals - a.route.literals);
  const server = createServer((req, res) => {
    serve(req, res).catch((e: unknown) => {
      opts.log("error", `http: ${req.method} ${req.url}: ${String(e)}`);
      if (!res.headersSent) send(res, { status: 500, jsonBody: { error: "internal error" } });
      else res.destroy();
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    (opts.stats ?? silentTelemetry).count("host.http.requests");
    const url = requestUrl(req);
    if (url === null) return reply(res, 400, "malformed request target");
    const segments = pathSegments(url.pathname, opts.routePrefix);
    if (segments === "malformed") return reply(res, 400, "malformed URL path");
    const method = (req.method ?? "GET").toUpperCase();
    // The Functions host routes on path and method together: a route that exists for other
    // methods is no route for this one, so it answers 404, not 405, and so does this host.
    const hit =
      segments === null
        ? undefined
        : routes.find(
            (r) => r.route.match(segments) && r.fn.trigger.methods.some((m) => m === method),
          );
    if (!hit) return reply(res, 404, `no function for ${method} ${url.pathname}`);
    const key = presentedKey(header(req, "x-functions-key"), url);
    if (!authorized(hit.fn.trigger.authLevel, key, opts.keys)) {
      return reply(
        res,
        401,
        "missing or invalid function key (x-functions-key header or code parameter)",
      );
    }
    const declared = Number(header(req, "content-length") ?? 0);
    const body = declared > opts.maxRequestBytes ? null : await readBody(req, opts.maxRequestBytes);
    // Node drains an unread body after the response, so the client sees the 413 either way.
    if (body === null)
      return reply(res, 413, `the request body exceeds ${opts.maxRequestBytes} bytes`);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    const request = new functions.HttpRequest({
      method,
      url: url.toString(),
      headers,
      params: hit.route.match(segments ?? [])!,
      ...(body.byteLength > 0 ? { body: { bytes: body } } : {}),
    });
    const context = invocationContext(hit.fn.name, opts.log);
    let result: HttpResponseInit | InstanceType<typeof functions.HttpResponse> | undefined;
    try {
      result =
        (await withFunctionTimeout(async () => hit.fn.handler(request, context), {
          name: hit.fn.name,
          timeoutMs: opts.functionTimeoutMs ?? Number.POSITIVE_INFINITY,
          log: opts.log,
        })) ?? undefined;
    } catch (e) {
      // The Functions host answers an unhandled error with a bare 500 as well.
      context.error("unhandled error:", e);
      return reply(res, 500, "internal error");
    }
    await send(res, result ?? {});
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${HOST}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/**
 * The request's URL. The target is a path on this host even when it starts with `//` (which
 * `new URL` reads as naming a host), and the Host header counts only when it is a host: the
 * client writes both, and neither may turn a request into a 500.
 */
function requestUrl(req: IncomingMessage): URL | null {
  const target = req.url ?? "/";
  let origin = `http://${HOST}`;
  try {
    if (req.headers.host) origin = new URL(`http://${req.headers.host}`).origin;
  } catch {
    // Not a host: this one's own address will do.
  }
  try {
    return target.startsWith("/") ? new URL(`${origin}${target}`) : new URL(target);
  } catch {
    return null;
  }
}

/** Path segments below the route prefix, decoded; null when outside it. */
function pathSegments(pathname: string, prefix: string): string[] | null | "malformed" {
  const base = prefix ? `/${prefix}` : "";
  if (base && pathname.toLowerCase() !== base.toLowerCase()) {
    if (!pathname.toLowerCase().startsWith(`${base.toLowerCase()}/`)) return null;
  }
  const rest = pathname.slice(base.length).replace(/^\/+|\/+$/g, "");
  try {
    return rest === "" ? [] : rest.split("/").map(decodeURIComponent);
  } catch {
    return "malformed";
  }
}

/**
 * The body, or null as soon as it passes `max` bytes: the 413 is answered at once while the
 * rest is read and dropped, so a client still sending sees the answer, not a reset. Past
 * DRAIN_LIMIT the connection is ended gracefully (FIN, after the answer), never reset.
 */
function readBody(req: IncomingMessage, max: number): Promise<Uint8Array | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    req.on("data", (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total <= max) chunks.push(chunk);
      else if (chunks.length > 0) {
        chunks.length = 0;
        resolve(null);
      } else if (total > DRAIN_LIMIT) req.socket.end();
    });
    req.on("end", () => resolve(total > max ? null : Buffer.concat(chunks)));
    req.on("close", () => resolve(total > max ? null : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function reply(
  res: ServerResponse,
  status: number,
  error: string,
  headers: Record<string, string> = {},
): Promise<void> {
  return send(res, { status, jsonBody: { error }, headers });
}

async function send(
  res: ServerResponse,
  result: HttpResponseInit | InstanceType<typeof functions.HttpResponse>,
): Promise<void> {
  const response =
    result instanceof functions.HttpResponse ? result : new functions.HttpResponse(result);
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, { ...headers, "content-length": String(body.byteLength) });
  res.end(body);
}
