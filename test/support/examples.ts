import { readFileSync } from "node:fs";
import { parse } from "yaml";

/** An example file's document as a client would send it: parsed, not compiled. */
export function readDefinitionDocument(path: string): unknown {
  return parse(readFileSync(path, "utf8"));
}
