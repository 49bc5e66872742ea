/**
 * The page's HTTP client. Every call carries the function key; GETs are conditional: the last
 * answer of each URL is kept with its ETag and sent as If-None-Match, so a poll whose answer did
 * not change costs a 304 with no body and returns the very object returned before, which a
 * component stores without re-rendering (a state setter ignores an identical value).
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Fetched<T> {
  readonly data: T;
  readonly changed: boolean;
}

export class Api {
  private readonly cache = new Map<string, { etag: string; data: unknown }>();

  constructor(
    readonly base: string,
    private readonly key: string,
  ) {}

  async get<T>(path: string, signal?: AbortSignal): Promise<Fetched<T>> {
    const cached = this.cache.get(path);
    const res = await this.send("GET", path, undefined, signal, cached?.etag);
    if (res.status === 304 && cached) return { data: cached.data as T, changed: false };
    const data = (await readJson(res)) as T;
    const etag = res.headers.get("etag");
    if (etag) {
      this.cache.set(path, { etag, data });
      // Bounded: a long session scrolls through many windows of a large table.
      if (this.cache.size > 200) this.cache.delete(this.cache.keys().next().value!);
    }
    return { data, changed: true };
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return (await readJson(await this.send("POST", path, body))) as T;
  }

  private async send(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
    etag?: string,
  ): Promise<Response> {
    const headers: Record<string, string> = { "x-functions-key": this.key };
    if (etag) headers["if-none-match"] = etag;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers,
      // Conditional reads are ours to make: the browser's cache would hide the 304s.
      cache: "no-store",
      // Behind App Service Authentication the session cookie must go along.
      credentials: "same-origin",
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
    });
    if (res.status === 304 || res.ok) return res;
    throw new ApiError(res.status, await errorText(res));
  }
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(res.status, `not a dagq answer (${res.status}): ${text.slice(0, 120)}`);
  }
}

async function errorText(res: Response): Promise<string> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === "string") return body.error;
  } catch {
    // Not the API's JSON: a front end's page (App Service Authentication, a proxy).
  }
  return `${res.status} ${res.statusText || text.slice(0, 120)}`;
}

/** Task names hold `/`, which must travel as %2F inside one path segment. */
export function taskPath(id: string, task: string): string {
  return `workflows/${encodeURIComponent(id)}/tasks/${encodeURIComponent(task)}`;
}
