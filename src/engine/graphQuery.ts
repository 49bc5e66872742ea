import {
  type CompiledWorkflow,
  type GraphShape,
  type GraphView,
  graphShape,
  graphView,
  type Summary,
  summarize,
} from "../core/index.js";
import type { Engine } from "./context.js";

export interface WorkflowGraph extends GraphView {
  /** The workflow's status from the same state, so one read serves a dashboard's header too. */
  readonly workflow: Summary;
}

/**
 * Shapes by definition and expanded groups. Keyed weakly by the compiled definition, which the
 * state store caches per workflow: a shape lives as long as its definition stays cached, and a
 * poll costs one pass over the task states instead of a regrouping of the whole graph.
 */
const shapes = new WeakMap<CompiledWorkflow, Map<string, GraphShape>>();
const SHAPES_PER_WORKFLOW = 8;

/** The dashboard's graph of a workflow (see core/graphView.ts), or null when there is none. */
export async function getGraph(
  engine: Engine,
  id: string,
  expand: readonly string[],
): Promise<WorkflowGraph | null> {
  const loaded = await engine.state.loadForRead(id);
  if (!loaded) return null;
  const { run } = loaded;
  return { workflow: summarize(run), ...graphView(shapeOf(run.def, expand), run) };
}

function shapeOf(def: CompiledWorkflow, expand: readonly string[]): GraphShape {
  let byExpand = shapes.get(def);
  if (!byExpand) {
    byExpand = new Map();
    shapes.set(def, byExpand);
  }
  const key = [...new Set(expand)].sort().join(",");
  const hit = byExpand.get(key);
  if (hit) return hit;
  const shape = graphShape(def, expand);
  byExpand.set(key, shape);
  if (byExpand.size > SHAPES_PER_WORKFLOW) byExpand.delete(byExpand.keys().next().value!);
  return shape;
}
