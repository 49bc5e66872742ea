import { loadDefinitionFile } from "../../definitionFile.js";

/** `dagq validate FILE`: the one-line shape of a valid definition; errors throw (exit 2). */
export function validateCommand(file: string): string {
  const def = loadDefinitionFile(file);
  let layers = 0;
  for (const l of def.layer) layers = Math.max(layers, l + 1);
  return `ok: ${def.definition.name}, ${def.size} tasks, ${def.parents.length} dependencies, ${layers} layers\n`;
}
