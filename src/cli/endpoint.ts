/**
 * Where the client commands (submit, status, watch, ...) find dagq, and the key they send.
 * This is the one place the CLI's client side reads the environment. src/config.ts is a
 * different thing: the Function App's own settings (storage, prefix, limits), read by the
 * functions and `dagq host`; DAGQ_URL and DAGQ_KEY are the client's and never reach the app.
 */
export const DEFAULT_URL = "http://127.0.0.1:7071";

export interface EndpointFlags {
  readonly url?: string;
  readonly key?: string;
}

export interface Endpoint {
  readonly url: string;
  readonly key?: string;
}

/** A URL that cannot be used: a usage error (exit 2), not a connection failure. */
export class EndpointError extends Error {
  override readonly name = "EndpointError";
}

/** `--url`/`--key`, else DAGQ_URL/DAGQ_KEY, else the local host's default URL and no key. */
export function resolveEndpoint(
  flags: EndpointFlags,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Endpoint {
  const url = flags.url ?? (env.DAGQ_URL || DEFAULT_URL);
  const key = flags.key ?? (env.DAGQ_KEY || undefined);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EndpointError(`not a URL: "${url}" (from ${flags.url ? "--url" : "DAGQ_URL"})`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new EndpointError(`not an http(s) URL: "${url}"`);
  }
  return key ? { url, key } : { url };
}
