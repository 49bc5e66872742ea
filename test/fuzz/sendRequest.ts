/** Sending a fuzz request as fetch does, and saying in a line what it was. */
import type { FuzzRequest } from "./requests.js";

/** Sends one request; a hang is cut after `timeoutMs`. */
export async function send(api: string, req: FuzzRequest, timeoutMs: number) {
  const url = new URL(`${api}/${req.path}`);
  for (const [k, v] of req.query) url.searchParams.append(k, v);
  const body = req.body;
  const init: RequestInit & { duplex?: "half" } = {
    method: req.method,
    headers: req.headers,
    signal: AbortSignal.timeout(timeoutMs),
  };
  if (body instanceof Uint8Array || typeof body === "string") init.body = body;
  else if (body) {
    const chunk = new Uint8Array(16 * 1024).fill(0x20);
    let left = body.streamBytes;
    init.body = new ReadableStream({
      pull(controller) {
        if (left <= 0) return controller.close();
        controller.enqueue(chunk.subarray(0, Math.min(chunk.length, left)));
        left -= chunk.length;
      },
    });
    init.duplex = "half";
  }
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, text };
}

export function describeRequest(req: FuzzRequest): string {
  const body =
    req.body === undefined
      ? ""
      : typeof req.body === "string"
        ? ` body ${JSON.stringify(req.body.slice(0, 200))}${req.body.length > 200 ? ` (${req.body.length} chars)` : ""}`
        : req.body instanceof Uint8Array
          ? ` body bytes [${[...req.body.slice(0, 20)]}]`
          : ` body streamed, ${req.body.streamBytes} bytes`;
  const query = req.query.length
    ? `?${new URLSearchParams(req.query.map(([k, v]): [string, string] => [k, v.slice(0, 80)]))}`
    : "";
  return `${req.method} /api/${req.path.slice(0, 200)}${query} headers ${JSON.stringify(req.headers)}${body}`;
}
