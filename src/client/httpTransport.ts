import { DagqApiError, DagqConnectionError, DagqResponseError } from "./errors.js";
import { ErrorBodySchema } from "./schemas.js";

export interface TransportOptions {
  /** The Function App's (or `dagq host`'s) base URL; `/api` is added unless it ends with it. */
  readonly url: string;
  /** The function key, sent as `x-functions-key`. */
  readonly key?: string;
  readonly fetch?: typeof fetch;
  /** Further tries of a GET (or an idempotent POST) after a 5xx or a network error (default 2). */
  readonly retries?: number;
  /** The first retry's delay; doubled for each further one, with jitter (default 250 ms). */
  readonly retryDelayMs?: number;
  /** Per try (default 30 s). */
  readonly timeoutMs?: number;
}

export interface Call {
  readonly method: "GET" | "POST" | "DELETE";
  /** Below the API root, e.g. `workflows/abc/tasks`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: { readonly text: string; readonly contentType: string };
  /** Non-2xx statuses whose body is still an answer (health's 503 carries the report). */
  readonly alsoOk?: readonly number[];
  /** Aborts the call (and its retries); the abort reason is thrown as it is. */
  readonly signal?: AbortSignal;
  /** A POST that may be sent again safely (a submission with its own id): retried like a GET. */
  readonly idempotent?: boolean;
}

export interface Answer {
  readonly status: number;
  /** The parsed JSON body; null when there was none (204). */
  readonly json: unknown;
}

/**
 * One HTTP exchange with the API: the key, a timeout per try, retries with backoff for GETs only
 * (POST and DELETE are not idempotent here: a retried submit would run the workflow twice), and
 * every failure turned into one of the client's three errors.
 */
export class HttpTransport {
  readonly url: string;
  private readonly api: string;
  private readonly fetch: typeof fetch;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly opts: TransportOptions) {
    const base = new URL(opts.url);
    if (base.protocol !== "http:" && base.protocol !== "https:") {
      throw new TypeError(`not an http(s) URL: ${opts.url}`);
    }
    this.url = opts.url.replace(/\/+$/, "");
    this.api = /\/api$/i.test(this.url) ? this.url : `${this.url}/api`;
    this.fetch = opts.fetch ?? globalThis.fetch;
    this.retries = opts.retries ?? 2;
    this.retryDelayMs = opts.retryDelayMs ?? 250;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  async call(c: Call): Promise<Answer> {
    const tries = c.method === "GET" || c.idempotent ? this.retries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(c);
      } catch (e) {
        if (c.signal?.aborted) throw c.signal.reason;
        const transient =
          e instanceof DagqConnectionError || (e instanceof DagqApiError && e.status >= 500);
        if (!transient || attempt >= tries) throw e;
        const delay = this.retryDelayMs * 2 ** (attempt - 1);
        await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random() / 2)));
      }
    }
  }

  private async once(c: Call): Promise<Answer> {
    const url = new URL(`${this.api}/${c.path}`);
    for (const [k, v] of Object.entries(c.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, v);
    const request = `${c.method} ${url.pathname}`;
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.opts.key) headers["x-functions-key"] = this.opts.key;
    if (c.body) headers["content-type"] = c.body.contentType;
    let res: Response;
    let text: string;
    try {
      res = await this.fetch(url, {
        method: c.method,
        headers,
        ...(c.body ? { body: c.body.text } : {}),
        signal: c.signal
          ? AbortSignal.any([c.signal, AbortSignal.timeout(this.timeoutMs)])
          : AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      if (c.signal?.aborted) throw c.signal.reason;
      throw this.unreachable(e);
    }
    const json = text === "" ? null : parseJson(text);
    if (res.ok || c.alsoOk?.includes(res.status)) {
      if (json === undefined) throw new DagqResponseError(request, res.status, "not JSON");
      return { status: res.status, json };
    }
    const body = ErrorBodySchema.safeParse(json);
    if (body.success) {
      throw new DagqApiError(request, res.status, body.data.error, body.data.details);
    }
    // Not the API's error shape: the Azure front end, a proxy, or an empty 401 from the host.
    const said = text.trim().slice(0, 200) || res.statusText || "no error message";
    throw new DagqApiError(request, res.status, said);
  }

  private unreachable(e: unknown): DagqConnectionError {
    const err = e as { name?: string; message?: string; cause?: unknown };
    if (err.name === "TimeoutError") {
      return new DagqConnectionError(
        this.url,
        `dagq at ${this.url} did not answer within ${this.timeoutMs / 1000} s`,
        { cause: e },
      );
    }
    const code = codeOf(err.cause);
    const why =
      code === "ECONNREFUSED"
        ? "is `dagq host` running?"
        : (code ??
          (err.cause instanceof Error ? err.cause.message : undefined) ??
          err.message ??
          String(e));
    return new DagqConnectionError(this.url, `cannot reach dagq at ${this.url}: ${why}`, {
      cause: e,
    });
  }
}

/** The errno code of a fetch failure; "localhost" may fail on ::1 and 127.0.0.1 at once. */
function codeOf(cause: unknown): string | undefined {
  const c = cause as { code?: unknown; errors?: Array<{ code?: unknown }> } | undefined;
  const code = c?.code ?? c?.errors?.[0]?.code;
  return typeof code === "string" ? code : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
