/**
 * HTTP requests for the fuzz suite: every route of the API with random and mutated path
 * parameters, queries, headers and bodies, plus unknown routes and methods.
 */
import fc from "fast-check";
import { parseYaml } from "../../src/yamlDocument.js";
import { type Body, cancelBody, definitionBody, purgeBody, type TypedBody } from "./bodies.js";
import { KEY } from "./fuzzHost.js";
import { hostileString } from "./hostile.js";

export interface FuzzRequest {
  readonly method: string;
  /** Below /api, already encoded, without the query. */
  readonly path: string;
  readonly query: ReadonlyArray<readonly [string, string]>;
  readonly headers: Readonly<Record<string, string>>;
  /** A streamed body is sent chunked, without a Content-Length. */
  readonly body?: Body;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A path segment: encoded as a client would, or raw, or double-encoded. */
const segment = (value: fc.Arbitrary<string>) =>
  fc.tuple(value, fc.constantFrom("encoded", "encoded", "raw", "double")).map(([raw, how]) => {
    // A lone surrogate has no UTF-8 form, so no URL can carry it.
    const v = raw.replace(LONE_SURROGATE, "\ufffd");
    if (how === "encoded") return encodeURIComponent(v);
    if (how === "double") return encodeURIComponent(encodeURIComponent(v));
    // Raw, but still a URL: only what `new URL` keeps as one segment.
    return v.replace(/[^A-Za-z0-9._~%-]/g, "_") || "_";
  });

const queryValues = fc.oneof(
  fc.constantFrom("true", "false", "-1", "0", "1", "1000", "100001", "1e3", "0x10", "NaN"),
  fc.constantFrom("running", "completed,failed", "bogus", "name", "desc", "v/", "*", ""),
  hostileString(5_000),
);

/** Mostly none; else the route's own parameters with hostile values, or unknown ones. */
function queryOf(...keys: string[]): fc.Arbitrary<ReadonlyArray<readonly [string, string]>> {
  const key = keys.length
    ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...keys) }, hostileString(64))
    : hostileString(64);
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant([]) },
    fc.array(fc.tuple(key, queryValues), { minLength: 1, maxLength: 3 }),
  );
}

const keyArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant(KEY) },
  fc.constantFrom(undefined, "", "wrong"),
);
const contentTypes = fc.constantFrom(
  "application/json",
  "application/yaml",
  "text/plain",
  "application/x-www-form-urlencoded",
  "application/json; charset=latin1",
  "multipart/form-data; boundary=x",
  undefined,
);

interface Route {
  readonly method: string;
  readonly path: string;
  readonly query: ReadonlyArray<readonly [string, string]>;
  readonly body?: TypedBody;
}

const route = (
  method: fc.Arbitrary<string>,
  path: fc.Arbitrary<string>,
  query: fc.Arbitrary<ReadonlyArray<readonly [string, string]>>,
  body?: fc.Arbitrary<TypedBody>,
): fc.Arbitrary<Route> =>
  body ? fc.record({ method, path, query, body }) : fc.record({ method, path, query });

/**
 * Requests on every route. Ids aim at `victim` (a real workflow), made-up ones, or hostile
 * strings: never at the bystander.
 */
export function requestArb(victim: string): fc.Arbitrary<FuzzRequest> {
  const id = segment(
    fc.oneof(
      { weight: 3, arbitrary: fc.constant(victim) },
      fc.constant(victim.toUpperCase()),
      fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,62}$/),
      hostileString(2_000),
    ),
  );
  const task = segment(
    fc.oneof(fc.constantFrom("v/00", "v/01", "v%2F00", "nope"), hostileString(2_000)),
  );
  const get = fc.constant("GET");
  const post = fc.constant("POST");
  const routes = fc.oneof(
    { weight: 4, arbitrary: route(post, fc.constant("workflows"), queryOf(), definitionBody) },
    route(get, fc.constant("workflows"), queryOf("status", "name", "limit", "cursor")),
    route(
      get,
      id.map((i) => `workflows/${i}`),
      queryOf("detail"),
    ),
    route(
      get,
      id.map((i) => `workflows/${i}/tasks`),
      queryOf("prefix", "status", "after", "limit", "sort", "order", "offset"),
    ),
    route(
      get,
      id.map((i) => `workflows/${i}/graph`),
      queryOf("expand"),
    ),
    route(
      get,
      fc
        .tuple(id, task, fc.constantFrom("", "/output"))
        .map(([i, t, tail]) => `workflows/${i}/tasks/${t}${tail}`),
      queryOf(),
    ),
    route(
      post,
      id.map((i) => `workflows/${i}/cancel`),
      queryOf(),
      cancelBody,
    ),
    route(
      fc.constant("DELETE"),
      id.map((i) => `workflows/${i}`),
      queryOf(),
    ),
    { weight: 2, arbitrary: route(post, fc.constant("purge"), queryOf(), purgeBody) },
    route(
      get,
      segment(fc.oneof(fc.stringMatching(/^[0-9a-f]{12}$/), hostileString(200))).map(
        (j) => `purge/${j}`,
      ),
      queryOf(),
    ),
    route(get, fc.constantFrom("summary", "health"), queryOf()),
    route(
      get,
      segment(
        fc.oneof(fc.constantFrom("", "index.html", "../../package.json"), hostileString(200)),
      ).map((p) => `dashboard/${p}`),
      queryOf(),
    ),
    route(
      fc.constantFrom("PUT", "PATCH", "OPTIONS", "HEAD", "GET", "POST", "DELETE"),
      fc.array(segment(hostileString(200)), { minLength: 1, maxLength: 4 }).map((s) => s.join("/")),
      queryOf(),
      definitionBody,
    ),
  );
  return fc
    .tuple(routes, keyArb, fc.oneof({ weight: 6, arbitrary: fc.constant("own") }, contentTypes))
    .map(([r, key, contentType]) => {
      const withBody = r.body !== undefined && !["GET", "HEAD"].includes(r.method);
      const type = contentType === "own" ? r.body?.type : contentType;
      return {
        method: r.method,
        path: r.path,
        query: r.query,
        headers: {
          ...(key !== undefined ? { "x-functions-key": key } : {}),
          ...(withBody && type ? { "content-type": type } : {}),
        },
        ...(withBody ? { body: neverAll(r.path, r.body!.body) } : {}),
      };
    });
}

/**
 * A purge of every workflow would take the bystander with it, as it should: that is the one
 * request the fuzz never sends, whatever the body's disguise (JSON or YAML).
 */
function neverAll(path: string, body: FuzzRequest["body"]): FuzzRequest["body"] {
  if (path !== "purge" || typeof body !== "string") return body;
  const yaml = parseYaml(body); // YAML is a superset of JSON
  const parsed = yaml.ok ? yaml.value : null;
  if (
    parsed !== null &&
    typeof parsed === "object" &&
    (parsed as { scope?: unknown }).scope === "all"
  )
    return JSON.stringify({ ...(parsed as object), scope: "terminal" });
  return body;
}
