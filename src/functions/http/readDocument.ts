import type { HttpRequest } from "@azure/functions";
import { toError } from "../../toError.js";
import { parseYaml } from "../../yamlDocument.js";
import { HttpError } from "./httpError.js";

/** The body formats the API reads. */
export const BodyFormat = { json: "json", yaml: "yaml" } as const;
export type BodyFormat = (typeof BodyFormat)[keyof typeof BodyFormat];

const YAML_TYPES = new Set(["application/yaml", "text/yaml", "application/x-yaml", "text/x-yaml"]);

/**
 * The request body, at most `maxBytes`: the declared Content-Length is checked before reading
 * (so a huge upload is refused at once) and the bytes actually read after (a client may send
 * more than it declared, or declare nothing).
 */
export async function readBody(request: HttpRequest, maxBytes: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null) {
    if (!/^\d+$/.test(declared.trim())) {
      throw new HttpError(400, `invalid Content-Length header: "${declared}"`);
    }
    if (Number(declared) > maxBytes) throw tooLarge(maxBytes);
  }
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  return bytes;
}

/**
 * The body parsed as JSON or YAML by its Content-Type (none means JSON); `undefined` for an
 * empty body when `optional`. Refuses other media types with 415 and unparsable bodies with 400.
 */
export async function readDocument(
  request: HttpRequest,
  opts: {
    readonly maxBytes: number;
    readonly accept: readonly BodyFormat[];
    readonly optional?: boolean;
  },
): Promise<unknown> {
  const format = formatOf(request.headers.get("content-type"), opts.accept);
  const bytes = await readBody(request, opts.maxBytes);
  if (bytes.byteLength === 0) {
    if (opts.optional) return undefined;
    throw new HttpError(400, "a request body is required");
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "the request body is not valid UTF-8");
  }
  if (format === "json") return parseJson(text);
  return yamlBody(text);
}

function formatOf(header: string | null, accept: readonly BodyFormat[]): BodyFormat {
  const type = (header ?? "").split(";")[0]!.trim().toLowerCase();
  const format: BodyFormat | null =
    type === "" || type === "application/json" || type.endsWith("+json")
      ? "json"
      : YAML_TYPES.has(type)
        ? "yaml"
        : null;
  if (format === null || !accept.includes(format)) {
    const wanted = accept.map((f) => (f === "json" ? "application/json" : "application/yaml"));
    throw new HttpError(415, `unsupported media type "${type}": send ${wanted.join(" or ")}`);
  }
  return format;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `invalid JSON: ${toError(e).message}`);
  }
}

/** YAML (or JSON) text as a document, refused with a 400 like a body that does not parse. */
export function yamlBody(text: string): unknown {
  const yaml = parseYaml(text);
  if (!yaml.ok) throw new HttpError(400, yaml.message);
  return yaml.value;
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `the request body exceeds ${maxBytes} bytes`, { maxBytes });
}
