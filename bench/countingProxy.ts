/**
 * A counting proxy between dagq's processes and Azurite, on loopback: each role (the host, the
 * workers, the bench itself) gets its own blob, queue and table ports and a connection string
 * naming them, and every request it forwards is counted by role, service, operation and
 * resource. The processes run unchanged: they are only given another connection string. Shared
 * Key signatures cover the path and x-ms-* headers, not the port, so forwarding keeps them valid.
 *
 * Hand-written on node:http: a general proxy library would add nothing but a dependency here,
 * and the proxy must look inside two kinds of body (how many messages a receive returned, which
 * table a batch writes), which is a few lines on the raw streams.
 */
import {
  Agent,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { azuriteConnectionString } from "../src/azure/azurite.js";
import { classify, type Operation, type Service } from "./storageOperation.js";

export interface CountKey extends Operation {
  readonly role: string;
}

/** Requests and their time in the emulator (request sent → response ended), per key. */
export interface Tally {
  readonly key: CountKey;
  readonly requests: number;
  readonly ms: number;
  /** Queue messages returned, for receives. */
  readonly messages: number;
}

export interface CountingProxy {
  /** Three listening ports for `role`; the connection string that routes a process through them. */
  listen(role: string): Promise<string>;
  /** Every tally so far (a copy). */
  snapshot(): Tally[];
  /** When `role` made its first request (performance.now()), or null. */
  firstRequestAt(role: string): number | null;
  close(): Promise<void>;
}

export interface ProxyTarget {
  readonly blobPort: number;
  readonly queuePort: number;
  readonly tablePort: number;
}

const HOST = "127.0.0.1";

export function startCountingProxy(
  target: ProxyTarget,
  prefix: string,
  onError: (message: string) => void = () => {},
): CountingProxy {
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const tallies = new Map<
    string,
    { key: CountKey; requests: number; ms: number; messages: number }
  >();
  const first = new Map<string, number>();
  const servers: Server[] = [];
  const ports: Record<Service, number> = {
    blob: target.blobPort,
    queue: target.queuePort,
    table: target.tablePort,
  };

  const record = (key: CountKey, ms: number, messages: number) => {
    const id = `${key.role}\u0000${key.service}\u0000${key.name}\u0000${key.resource}`;
    let t = tallies.get(id);
    if (!t) {
      t = { key, requests: 0, ms: 0, messages: 0 };
      tallies.set(id, t);
    }
    t.requests++;
    t.ms += ms;
    t.messages += messages;
  };

  /**
   * Store and forward: the request body is read whole first (they are small), so a request that
   * met a keep-alive socket the emulator was closing (ECONNRESET before any answer) is sent
   * again on a fresh one, as the SDKs' own retry would, instead of failing the caller.
   */
  const handler =
    (role: string, service: Service) => (req: IncomingMessage, res: ServerResponse) => {
      const t0 = performance.now();
      if (!first.has(role)) first.set(role, t0);
      const op = classify(
        { service, method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers },
        prefix,
      );
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("error", () => res.destroy());
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const resource =
          op.name === "batch" ? (batchTable(body, prefix) ?? op.resource) : op.resource;
        const forward = (triesLeft: number) => {
          const upstream = request(
            {
              host: HOST,
              port: ports[service],
              method: req.method,
              path: req.url,
              headers: req.headers,
              agent,
            },
            (up) =>
              relay(up, res, op.name, (name, messages) =>
                record({ ...op, name, resource, role }, performance.now() - t0, messages),
              ),
          );
          upstream.on("error", (err: NodeJS.ErrnoException) => {
            if (
              !res.headersSent &&
              triesLeft > 0 &&
              (err.code === "ECONNRESET" || err.code === "EPIPE")
            )
              return forward(triesLeft - 1);
            onError(`${service} ${req.method} ${req.url}: ${err.message}`);
            record(
              { ...op, name: `${op.name} → proxy error`, resource, role },
              performance.now() - t0,
              0,
            );
            if (!res.headersSent) res.writeHead(502);
            res.end();
          });
          upstream.end(body);
        };
        forward(2);
      });
    };

  return {
    async listen(role) {
      const bound = {} as Record<Service, number>;
      for (const service of ["blob", "queue", "table"] as const) {
        const server = createServer({ keepAliveTimeout: 30_000 }, handler(role, service));
        servers.push(server);
        await new Promise<void>((resolve, reject) => {
          server.once("error", reject);
          server.listen(0, HOST, () => resolve());
        });
        bound[service] = (server.address() as AddressInfo).port;
      }
      return azuriteConnectionString({
        blobPort: bound.blob,
        queuePort: bound.queue,
        tablePort: bound.table,
      });
    },
    snapshot: () => [...tallies.values()].map((t) => ({ ...t })),
    firstRequestAt: (role) => first.get(role) ?? null,
    async close() {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
      agent.destroy();
    },
  };
}

/**
 * Passes the emulator's answer on and names the outcome: `receive (empty)` when a receive got no
 * message, and the status after an arrow for a 304 or an error (`lease acquire → 409`).
 */
function relay(
  up: IncomingMessage,
  res: ServerResponse,
  op: string,
  done: (name: string, messages: number) => void,
): void {
  res.writeHead(up.statusCode ?? 502, up.statusMessage, up.rawHeaders);
  const watchMessages = op === "receive" || op === "peek";
  let messages = 0;
  let tail = "";
  up.on("data", (chunk: Buffer) => {
    if (watchMessages) {
      // Tags split across chunks: keep one character less than a tag, so none is counted twice.
      const text = tail + chunk.toString("latin1");
      messages += text.split(MESSAGE_TAG).length - 1;
      tail = text.slice(-(MESSAGE_TAG.length - 1));
    }
    res.write(chunk);
  });
  up.on("end", () => {
    res.end();
    const status = up.statusCode ?? 0;
    let name = op;
    if (watchMessages && status === 200 && messages === 0) name = `${name} (empty)`;
    if (status === 304 || status >= 400) name = `${name} → ${status}`;
    done(name, messages);
  });
  up.on("error", () => res.destroy());
}

const MESSAGE_TAG = "<QueueMessage>";

/** The table an entity batch writes: the first inner request names it. */
function batchTable(body: Buffer, prefix: string): string | null {
  const m = /\/[^/\s]+\/([A-Za-z][A-Za-z0-9]*)\(/.exec(body.toString("latin1"));
  if (!m?.[1]) return null;
  return m[1].startsWith(prefix) ? m[1].slice(prefix.length) : m[1];
}
