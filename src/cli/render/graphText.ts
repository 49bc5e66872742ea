import type { CompiledWorkflow, GraphShape } from "../../core/index.js";

export const GRAPH_FORMATS = ["mermaid", "dot"] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/**
 * A definition's graph as Mermaid or Graphviz DOT text, for docs and reviews. The shape is the
 * dashboard's (core/graphView.ts): every task when the workflow is small, one node per group
 * and layer range above that, so a 100,000-task workflow still prints a readable graph.
 */
export function graphText(def: CompiledWorkflow, shape: GraphShape, format: GraphFormat): string {
  const labels = shape.nodes.map((node) => {
    // A mapped task stands for its instances, known only at run time.
    if (node.kind === "task")
      return `${def.tasks[node.task]!.name}${def.tasks[node.task]!.map ? "[*]" : ""}`;
    const [from, to] = node.layers;
    const layers = from === to ? `layer ${from}` : `layers ${from}-${to}`;
    const group =
      node.group === "*" ? "other groups" : node.group === "/" ? "(no group)" : node.group;
    return `${group} ×${node.total} (${layers})`;
  });
  const lines: string[] = [];
  if (format === "mermaid") {
    lines.push("flowchart TD");
    for (const [k, label] of labels.entries()) lines.push(`  n${k}["${mermaidText(label)}"]`);
    for (const [a, b] of shape.edges) lines.push(`  n${a} --> n${b}`);
  } else {
    lines.push(
      `digraph ${dotString(def.definition.name)} {`,
      "  rankdir=TB;",
      "  node [shape=box];",
    );
    for (const [k, label] of labels.entries()) lines.push(`  n${k} [label=${dotString(label)}];`);
    for (const [a, b] of shape.edges) lines.push(`  n${a} -> n${b};`);
    lines.push("}");
  }
  return `${lines.join("\n")}\n`;
}

/** Inside Mermaid's `["..."]`, a quote is written as an entity; nothing else is special. */
function mermaidText(text: string): string {
  return text.replace(/"/g, "#quot;");
}

/** A DOT double-quoted string: backslashes and quotes escaped, no raw line breaks. */
function dotString(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}
