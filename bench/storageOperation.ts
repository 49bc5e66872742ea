/**
 * Names the Azure Storage operation an HTTP request performs, from its method, path, query and
 * headers alone (the REST API's own URL grammar), so a proxy can count requests by operation
 * without touching the processes that make them. Path-style URLs (`/{account}/...`), as Azurite
 * serves them. The names follow the REST reference ("Put Message" is `send`, "Get Messages" is
 * `receive`, "Put Blob" is `put`...), short enough for a table.
 */

export const SERVICES = ["blob", "queue", "table"] as const;
export type Service = (typeof SERVICES)[number];

export interface StorageRequest {
  readonly service: Service;
  readonly method: string;
  /** The request target as sent: path and query, e.g. `/devstoreaccount1/q/messages?numofmessages=32`. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface Operation {
  readonly service: Service;
  /** What is done: `send`, `receive`, `put`, `lease acquire`, `upsert`, ... */
  readonly name: string;
  /**
   * What it is done to, without the deployment prefix: a queue (`completions`, `tasks-default`),
   * a table (`workflows`, `inbox`), or a kind of blob (`head`, `journal`, `definition`).
   */
  readonly resource: string;
}

export function classify(req: StorageRequest, prefix: string): Operation {
  const url = new URL(req.url, "http://storage");
  // The first segment is the account (path-style addressing).
  const segments = url.pathname.split("/").slice(2).map(decodeURIComponent);
  const method = req.method.toUpperCase();
  const q = url.searchParams;
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  switch (req.service) {
    case "queue":
      return {
        service: "queue",
        ...queueOperation(method, segments, q),
        ...queueName(segments, prefix),
      };
    case "blob":
      return {
        service: "blob",
        ...blobOperation(method, segments, q, header),
        ...blobKind(segments, prefix),
      };
    case "table":
      return {
        service: "table",
        ...tableOperation(method, segments),
        ...tableName(segments, prefix),
      };
  }
}

type Header = (name: string) => string | undefined;

function queueOperation(
  method: string,
  s: readonly string[],
  q: URLSearchParams,
): { name: string } {
  const comp = q.get("comp");
  if (s.length === 0 || s[0] === "")
    return { name: comp === "list" ? "list queues" : `account ${method} ${comp ?? ""}`.trim() };
  if (s.length === 1) {
    if (comp === "metadata") return { name: method === "PUT" ? "set metadata" : "metadata" };
    if (comp) return { name: `${comp} ${method}` };
    if (method === "PUT") return { name: "create queue" };
    if (method === "DELETE") return { name: "delete queue" };
  }
  if (s[1] === "messages" && s.length === 2) {
    if (method === "POST") return { name: "send" };
    if (method === "GET") return { name: q.get("peekonly") === "true" ? "peek" : "receive" };
    if (method === "DELETE") return { name: "clear" };
  }
  if (s[1] === "messages" && s.length === 3) {
    if (method === "DELETE") return { name: "delete" };
    if (method === "PUT") return { name: "update" };
  }
  return { name: `${method} ${s.length > 1 ? s.slice(1).join("/") : ""}`.trim() };
}

function queueName(s: readonly string[], prefix: string): { resource: string } {
  const name = s[0] ?? "";
  return {
    resource: name.startsWith(`${prefix}-`) ? name.slice(prefix.length + 1) : name || "(account)",
  };
}

function blobOperation(
  method: string,
  s: readonly string[],
  q: URLSearchParams,
  header: Header,
): { name: string } {
  const comp = q.get("comp");
  if (s.length === 0 || s[0] === "")
    return { name: comp === "list" ? "list containers" : `account ${method} ${comp ?? ""}`.trim() };
  if (s.length === 1 || q.get("restype") === "container") {
    if (comp === "list") return { name: "list" };
    if (comp === "lease")
      return { name: `container lease ${header("x-ms-lease-action") ?? ""}`.trim() };
    if (comp) return { name: `container ${comp} ${method}` };
    if (method === "PUT") return { name: "create container" };
    if (method === "DELETE") return { name: "delete container" };
    return { name: "container properties" };
  }
  switch (method) {
    case "GET":
    case "HEAD":
      if (comp) return { name: `get ${comp}` };
      return { name: method === "HEAD" ? "properties" : "read" };
    case "DELETE":
      return { name: "delete" };
    case "PUT":
      switch (comp) {
        case null:
          if (header("x-ms-copy-source")) return { name: "copy" };
          switch (header("x-ms-blob-type")) {
            case "AppendBlob":
              return { name: "create append" };
            case "PageBlob":
              return { name: "create page" };
            default:
              return { name: "put" };
          }
        case "appendblock":
          return { name: "append" };
        case "lease":
          return { name: `lease ${header("x-ms-lease-action") ?? ""}`.trim() };
        case "metadata":
          return { name: "set metadata" };
        case "block":
          return { name: "put block" };
        case "blocklist":
          return { name: "put block list" };
        default:
          return { name: `set ${comp}` };
      }
    default:
      return { name: `${method} ${comp ?? ""}`.trim() };
  }
}

/**
 * A blob's kind: under `wf/{id}/`, the first name after the id without a generation or an
 * extension (`journal-3` is `journal`, `definition.json.gz` is `definition`); otherwise the
 * first name of the path. Container-level requests are `(container)`.
 */
function blobKind(s: readonly string[], prefix: string): { resource: string } {
  const container = s[0] ?? "";
  const inDeployment = container === `${prefix}-workflows`;
  if (s.length < 2) return { resource: inDeployment || !container ? "(container)" : container };
  const path = s.slice(1);
  const first = path[0] === "wf" && path.length > 2 ? path[2]! : path[0]!;
  const kind = first.replace(/\..*$/, "").replace(/-\d+$/, "");
  return { resource: inDeployment ? kind : `${container}/${kind}` };
}

/** `Tables`, `$batch`, `name`, `name()` or `name(PartitionKey='a',RowKey='b')`. */
function tableTarget(s: readonly string[]): { table: string; keyed: boolean } {
  const first = s[0] ?? "";
  const open = first.indexOf("(");
  if (open < 0) return { table: first, keyed: false };
  return { table: first.slice(0, open), keyed: /PartitionKey=/i.test(first.slice(open)) };
}

function tableOperation(method: string, s: readonly string[]): { name: string } {
  const { table, keyed } = tableTarget(s);
  if (table === "$batch") return { name: "batch" };
  if (table === "Tables") {
    if (method === "POST") return { name: "create table" };
    if (method === "DELETE") return { name: "delete table" };
    return { name: "list tables" };
  }
  if (keyed) {
    switch (method) {
      case "GET":
        return { name: "get" };
      case "PUT":
        return { name: "upsert" };
      case "MERGE":
      case "PATCH":
        return { name: "merge" };
      case "DELETE":
        return { name: "delete" };
    }
  }
  if (method === "GET") return { name: "query" };
  if (method === "POST") return { name: "insert" };
  return { name: method };
}

function tableName(s: readonly string[], prefix: string): { resource: string } {
  const { table } = tableTarget(s);
  if (table === "$batch") return { resource: "(batch)" };
  if (table === "Tables") return { resource: "(account)" };
  return { resource: table.startsWith(prefix) ? table.slice(prefix.length) : table };
}
