/**
 * Request bodies for the HTTP fuzz, each with the Content-Type a client would send: mutated
 * definitions as JSON or YAML, random JSON, and texts that parsers choke on.
 */
import fc from "fast-check";
import { stringify as toYaml } from "yaml";
import { definitionArb, mutatedDefinitionArb } from "./definitions.js";
import { MAX_REQUEST_BYTES } from "./fuzzHost.js";
import { deepArrayText, deepObjectText, hostileString, mutationsOf } from "./hostile.js";

/** A body as sent: text, bytes, or so many bytes streamed without a Content-Length. */
export type Body = string | Uint8Array | { readonly streamBytes: number };

const YAML_BOMB = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  ...["b", "c", "d", "e", "f", "g", "h"].map(
    (k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcdefg"[i]}`).join(",")}]`,
  ),
  "name: [*h,*h,*h,*h,*h,*h,*h,*h,*h]",
  "tasks: []",
].join("\n");

const hostileTexts = fc.constantFrom<Body>(
  "",
  "null",
  "[]",
  "true",
  '"text"',
  "{",
  deepArrayText(20_000),
  deepObjectText(5_000),
  deepArrayText(100_000),
  '{"__proto__":{"polluted":true},"name":"p","tasks":[{"name":"a","command":"true"}]}',
  '{"constructor":{"prototype":{"polluted":true}},"tasks":[]}',
  YAML_BOMB,
  "name: x\ntasks: !!js/function 'function () {}'",
  "name: &n x\n<<: {tasks: [{name: a, command: 'true'}]}",
  "x".repeat(MAX_REQUEST_BYTES + 1),
  new Uint8Array([0xff, 0xfe, 0x7b, 0x22, 0xc3, 0x28, 0x7d]),
  { streamBytes: MAX_REQUEST_BYTES * 2 },
  { streamBytes: 1000 },
);

export interface TypedBody {
  readonly body: Body;
  /** The Content-Type a client would send with it. */
  readonly type: string;
}

const json = (arb: fc.Arbitrary<unknown>): fc.Arbitrary<TypedBody> =>
  arb.map((v) => ({ body: JSON.stringify(v) ?? "", type: "application/json" }));
const hostileBody = hostileTexts.map((body) => ({ body, type: "application/json" }));

export const definitionBody = fc.oneof(
  { weight: 4, arbitrary: json(mutatedDefinitionArb) },
  definitionArb.map((d) => ({ body: toYaml(d), type: "application/yaml" })),
  json(fc.jsonValue()),
  { weight: 2, arbitrary: hostileBody },
);

export const purgeBody = fc.oneof(
  json(
    fc.oneof(
      fc.record({ scope: fc.constant("terminal"), drain_queues: fc.boolean() }),
      mutationsOf({ scope: "terminal", drain_queues: true }),
    ),
  ),
  hostileBody,
);

export const cancelBody = fc.oneof(
  json(fc.oneof(fc.record({ reason: hostileString(1000) }), mutationsOf({ reason: "r" }))),
  hostileBody,
);
