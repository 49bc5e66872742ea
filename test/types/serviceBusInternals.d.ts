/**
 * The two internal modules of @azure/service-bus the encoding test calls (the package has no
 * "exports" map, so they are reachable; it ships no types for them). Only what the test uses.
 */
declare module "@azure/service-bus/dist-esm/src/dataTransformer.js" {
  export const defaultDataTransformer: {
    encode(body: unknown, bodyType: "data" | "value" | "sequence"): unknown;
  };
}

declare module "@azure/service-bus/dist-esm/src/serviceBusMessage.js" {
  import type { Message } from "rhea-promise";
  export function toRheaMessage(msg: object, encoder: { encode: unknown }): Message;
}
