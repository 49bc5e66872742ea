/**
 * Calls the app's HTTP handlers directly, as the Functions library's own tests do: a real
 * `HttpRequest` and `InvocationContext`, an engine on in-memory storage.
 */
import functions, { type HttpHandler, type HttpResponseInit } from "@azure/functions";
import { type Config, readConfig } from "../../src/config.js";
import { createEngine, type Engine } from "../../src/engine/context.js";
import { type Runtime, runtimeFor } from "../../src/functions/runtime.js";
import { memoryStorage } from "../../src/memory/memoryStorage.js";
import { StatsTelemetry } from "../../src/observability/telemetry.js";

const { HttpRequest, InvocationContext } = functions;

export const MAX_BYTES = 4096;

export function testConfig(extra: Record<string, string> = {}): Config {
  return readConfig({
    DagqStorage: "UseDevelopmentStorage=true",
    DAGQ_PREFIX: "t",
    DAGQ_MAX_REQUEST_BYTES: String(MAX_BYTES),
    ...extra,
  });
}

export function memoryRuntime(config = testConfig()): { rt: Runtime; engine: Engine } {
  const engine = createEngine(memoryStorage(), {
    prefix: config.DAGQ_PREFIX,
    maxRunningWorkflows: config.DAGQ_MAX_RUNNING_WORKFLOWS,
    serviceBusNamespaces: config.DAGQ_SERVICEBUS_NAMESPACES,
    coordinator: { lingerMs: 5, inboxPollMs: 0 },
    telemetry: new StatsTelemetry(),
  });
  return { rt: runtimeFor(engine, config), engine };
}

/** A context whose log lines land in `logs`. */
export function testContext(logs: string[] = []): InstanceType<typeof InvocationContext> {
  return new InvocationContext({
    invocationId: "test-invocation",
    functionName: "test",
    logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(" ")}`),
  });
}

export interface Call {
  readonly method?: string;
  /** Path below the route prefix, with the query: `workflows/abc?detail=true`. */
  readonly path: string;
  readonly params?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly logs: string[];
}

export async function call(handler: HttpHandler, c: Call): Promise<Answer> {
  const logs: string[] = [];
  // Bytes, not a string: a string body would get a default Content-Type of text/plain.
  const body =
    c.body === undefined
      ? undefined
      : { bytes: typeof c.body === "string" ? new TextEncoder().encode(c.body) : c.body };
  const request = new HttpRequest({
    method: c.method ?? "GET",
    url: `http://localhost/api/${c.path}`,
    headers: c.headers ?? {},
    params: c.params ?? {},
    ...(body ? { body } : {}),
  });
  const result = (await handler(request, testContext(logs))) as HttpResponseInit;
  const response = new functions.HttpResponse(result);
  const text = await response.text();
  const headers: Record<string, string> = {};
  response.headers.forEach((v, k) => {
    headers[k] = v;
  });
  return { status: response.status, headers, body: text ? JSON.parse(text) : null, logs };
}

export const json = (value: unknown) => ({
  headers: { "content-type": "application/json" },
  body: JSON.stringify(value),
});

export const pair = {
  name: "pair",
  tasks: [
    { name: "prep/a", command: "echo a" },
    { name: "train/b", command: "echo b", depends_on: ["prep/a"] },
  ],
};
