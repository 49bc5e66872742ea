import dagre from "@dagrejs/dagre";
import { useMemo } from "preact/hooks";
import { GRAPH_LIMITS } from "../../../src/core/graphView.js";
import { clickable } from "../clickable.js";
import { count } from "../format.js";
import type { GraphNode, TaskState, WorkflowGraph } from "../types.js";
import { SegmentBar } from "./SegmentBar.js";

const TASK_W = 150;
const TASK_H = 30;
const GROUP_W = 190;
const GROUP_H = 54;
/** The API refuses to expand more than this many tasks at once. */
export const EXPAND_MAX = GRAPH_LIMITS.expandedTasks;

interface Placed {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

interface Layout {
  readonly nodes: Placed[];
  readonly edges: Array<Array<{ x: number; y: number }>>;
  readonly width: number;
  readonly height: number;
}

/**
 * Lays the graph out with dagre (left to right). The layout depends only on the nodes and
 * edges, not on their states, so it is recomputed when the shape changes (a group expanded),
 * never on a poll that only changed counts.
 */
function layout(graph: WorkflowGraph): Layout {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 14, ranksep: 48, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  graph.nodes.forEach((n, k) => {
    const task = n.kind === "task";
    g.setNode(String(k), { width: task ? TASK_W : GROUP_W, height: task ? TASK_H : GROUP_H });
  });
  for (const [a, b] of graph.edges) g.setEdge(String(a), String(b));
  dagre.layout(g);
  const nodes = graph.nodes.map((_, k) => {
    const n = g.node(String(k));
    return { x: n.x - n.width / 2, y: n.y - n.height / 2, w: n.width, h: n.height };
  });
  const edges = graph.edges.map(([a, b]) => g.edge(String(a), String(b))?.points ?? []);
  const info = g.graph();
  return { nodes, edges, width: info.width ?? 0, height: info.height ?? 0 };
}

function shapeKey(graph: WorkflowGraph): string {
  return `${graph.nodes.map((n) => n.id).join("|")}#${graph.edges.map((e) => e.join(">")).join(",")}`;
}

export function GraphPanel(props: {
  graph: WorkflowGraph;
  selected: string | null;
  onTask: (name: string) => void;
  onGroup: (group: string, total: number) => void;
}) {
  const { graph } = props;
  const key = shapeKey(graph);
  const placed = useMemo(() => layout(graph), [key]);
  return (
    <div class="graph" data-testid="graph" data-mode={graph.mode} data-nodes={graph.nodes.length}>
      {/* Shrinks to the panel's width (never grows past natural size), keeping its proportions. */}
      <svg
        width="100%"
        style={{ maxWidth: `${placed.width}px` }}
        viewBox={`0 0 ${placed.width} ${placed.height}`}
        role="img"
        aria-label={`graph of ${graph.workflow.name}`}
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="6"
            markerHeight="6"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
          </marker>
        </defs>
        {placed.edges.map((pts, k) => (
          <polyline
            key={k}
            class="edge"
            points={pts.map((p) => `${p.x},${p.y}`).join(" ")}
            marker-end="url(#arrow)"
          />
        ))}
        {graph.nodes.map((n, k) => (
          <GraphNodeView
            key={n.id}
            node={n}
            at={placed.nodes[k]!}
            selected={n.kind === "task" && n.name === props.selected}
            onTask={props.onTask}
            onGroup={props.onGroup}
          />
        ))}
      </svg>
    </div>
  );
}

function GraphNodeView(props: {
  node: GraphNode;
  at: Placed;
  selected: boolean;
  onTask: (name: string) => void;
  onGroup: (group: string, total: number) => void;
}) {
  const { node, at } = props;
  if (node.kind === "task") {
    // A map that expanded is drawn once, with its number of instances and their states.
    const mapped = node.instances ? ` ×${node.instances.total}` : "";
    const room = 22 - mapped.length;
    const label = `${node.name.length > room ? `…${node.name.slice(-(room - 1))}` : node.name}${mapped}`;
    const instances = node.instances
      ? ` (${node.instances.total} instances: ${Object.entries(node.instances.counts)
          .map(([s, n]) => `${n} ${s}`)
          .join(", ")})`
      : "";
    return (
      <g
        class={`node task st-${node.state}${props.selected ? " selected" : ""}`}
        data-task={node.name}
        data-state={node.state}
        transform={`translate(${at.x},${at.y})`}
        {...clickable(() => props.onTask(node.name))}
      >
        <title>{`${node.name}: ${node.state}${instances}`}</title>
        <rect width={at.w} height={at.h} rx="6" />
        <text x="10" y={at.h / 2 + 4}>
          {label}
        </text>
      </g>
    );
  }
  const layers =
    node.layers[0] === node.layers[1]
      ? `layer ${node.layers[0]}`
      : `layers ${node.layers[0]}–${node.layers[1]}`;
  const name =
    node.group === "/" ? "(no group)" : node.group === "*" ? "(other groups)" : node.group;
  const expandable = node.group !== "*";
  return (
    <g
      class={`node group${expandable ? " expandable" : ""}`}
      data-group={node.group}
      transform={`translate(${at.x},${at.y})`}
      {...(expandable ? clickable(() => props.onGroup(node.group, node.total)) : {})}
    >
      <title>{`${name} ${layers}: ${Object.entries(node.counts)
        .map(([s, n]) => `${n} ${s}`)
        .join(", ")}`}</title>
      <rect width={at.w} height={at.h} rx="6" />
      <text x="10" y="18" class="group-name">
        {name.length > 20 ? `${name.slice(0, 19)}…` : name}
      </text>
      <text x={at.w - 10} y="18" class="group-count" text-anchor="end">
        {count(node.total)}
      </text>
      <foreignObject x="10" y="28" width={at.w - 20} height="12">
        <SegmentBar
          counts={node.counts as Partial<Record<TaskState, number>>}
          total={node.total}
          height={10}
        />
      </foreignObject>
      <text x="10" y={at.h - 4} class="group-layers">
        {layers}
      </text>
    </g>
  );
}
