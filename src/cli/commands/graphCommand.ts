import { InvalidArgumentError } from "commander";
import { graphShape } from "../../core/index.js";
import { loadDefinitionFile } from "../../definitionFile.js";
import { GRAPH_FORMATS, type GraphFormat, graphText } from "../render/graphText.js";

/** `dagq validate FILE --graph mermaid|dot`: the checked definition's graph on stdout. */
export function graphCommand(file: string, format: GraphFormat): string {
  const def = loadDefinitionFile(file);
  return graphText(def, graphShape(def), format);
}

export function graphFormat(value: string): GraphFormat {
  if (!(GRAPH_FORMATS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected ${GRAPH_FORMATS.join(" or ")}`);
  return value as GraphFormat;
}
