import type { CompiledWorkflow } from "./compile.js";
import type { RunState } from "./runState.js";
import { TASK_STATES, type TaskState } from "./states.js";

/**
 * The graph a dashboard draws, sized for the browser whatever the workflow's size. A small
 * workflow is shown task by task. A large one is collapsed: one node per group (the name up to
 * its last `/`, e.g. `train/`) and layer (longest distance from a root), each with counts by
 * state, and one edge between two nodes when any task edge joins them. Chosen groups can be
 * expanded back into their tasks.
 *
 * The shape (which task lands in which node, and the edges) depends only on the definition and
 * the expanded groups, so it is computed once and reused; filling in the states is one pass over
 * the status array per poll.
 */
export const GRAPH_LIMITS = {
  /** Up to this many tasks, every task is a node. */
  fullTasks: 200,
  /** Collapsed nodes at most: layers are merged into ranges (1, 2, 4, ... wide) to stay under. */
  collapsedNodes: 150,
  /** Tasks at most in the expanded groups together. */
  expandedTasks: 200,
} as const;
// Sized by bench/graphLayout.ts: dagre lays out ~300 nodes of a long chain in about a second on
// this machine, and the page must stay responsive.

/** The group key of tasks without a `/`: they have no group, and `/` never starts a name. */
export const ROOT_GROUP = "/";
/** The node that gathers the smallest groups when there are too many to draw one node each. */
export const OTHER_GROUPS = "*";

/** `train/rf` → `train/`, `a/b/c` → `a/b/`, `solo` → `/`. */
export function groupOf(name: string): string {
  const slash = name.lastIndexOf("/");
  return slash < 0 ? ROOT_GROUP : name.slice(0, slash + 1);
}

export type ShapeNode =
  | { readonly kind: "task"; readonly id: string; readonly task: number; readonly group: string }
  | {
      readonly kind: "group";
      readonly id: string;
      readonly group: string;
      /** The layers this node covers, first and last. */
      readonly layers: readonly [number, number];
      readonly total: number;
    };

export interface GraphShape {
  readonly mode: "tasks" | "groups";
  readonly nodes: readonly ShapeNode[];
  /** Node index pairs, parent first, without duplicates. */
  readonly edges: ReadonlyArray<readonly [number, number]>;
  /** The node each task is drawn in. */
  readonly nodeOf: Uint32Array;
  /** Every group with its task count, largest first: what may be expanded. */
  readonly groups: ReadonlyArray<{ readonly group: string; readonly tasks: number }>;
  readonly expanded: readonly string[];
}

/** Why an expansion cannot be drawn; the caller answers 400 with it. */
export class GraphRequestError extends Error {
  override readonly name = "GraphRequestError";
}

export function graphShape(def: CompiledWorkflow, expand: readonly string[] = []): GraphShape {
  const n = def.size;
  const groupIds = new Map<string, number>();
  const taskGroup = new Uint32Array(n);
  const sizes: number[] = [];
  for (let i = 0; i < n; i++) {
    const g = groupOf(def.tasks[i]!.name);
    let id = groupIds.get(g);
    if (id === undefined) {
      id = groupIds.size;
      groupIds.set(g, id);
      sizes.push(0);
    }
    taskGroup[i] = id;
    sizes[id]!++;
  }
  const names = [...groupIds.keys()];
  const groups = names
    .map((group, id) => ({ group, tasks: sizes[id]! }))
    .sort((a, b) => b.tasks - a.tasks || (a.group < b.group ? -1 : 1));

  if (n <= GRAPH_LIMITS.fullTasks) {
    const nodes: ShapeNode[] = def.tasks.map((t, i) => ({
      kind: "task",
      id: `t:${t.name}`,
      task: i,
      group: names[taskGroup[i]!]!,
    }));
    const nodeOf = Uint32Array.from(nodes, (_, i) => i);
    const edges = edgesBetween(def, nodeOf, nodes.length);
    return { mode: "tasks", nodes, edges, nodeOf, groups, expanded: [] };
  }

  const expanded = [...new Set(expand)];
  const expandedIds = new Set<number>();
  let expandedTasks = 0;
  for (const g of expanded) {
    const id = groupIds.get(g);
    if (id === undefined) throw new GraphRequestError(`expand: no group "${g}" in this workflow`);
    expandedIds.add(id);
    expandedTasks += sizes[id]!;
  }
  if (expandedTasks > GRAPH_LIMITS.expandedTasks) {
    const listed = expanded.map((g) => `${g} (${sizes[groupIds.get(g)!]})`).join(", ");
    throw new GraphRequestError(
      `expand: ${listed} hold ${expandedTasks} tasks, more than the ${GRAPH_LIMITS.expandedTasks} that can be drawn one by one; list them in the task table instead`,
    );
  }

  // Too many groups to give each its own node: the smallest share one ("*") per layer range.
  const room = GRAPH_LIMITS.collapsedNodes;
  const other = names.length;
  const kept = new Set(groups.slice(0, room - 1).map((g) => groupIds.get(g.group)!));
  const collapsed = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const id = taskGroup[i]!;
    collapsed[i] = groups.length <= room || kept.has(id) ? id : other;
  }
  // A loop, not Math.max(...layer): spreading 100k arguments overflows the stack.
  let maxLayer = 0;
  for (const l of def.layer) if (l > maxLayer) maxLayer = l;
  const isExpanded = (i: number) => expandedIds.has(taskGroup[i]!);
  let width = 1;
  let keys = collapseKeys(def, width, collapsed, isExpanded);
  while (keys.distinct > room && width <= maxLayer) {
    width *= 2;
    keys = collapseKeys(def, width, collapsed, isExpanded);
  }

  const nodes: ShapeNode[] = [];
  const nodeIds = new Map<number, number>();
  const nodeOf = new Uint32Array(n);
  const totals: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = keys.of[i]!;
    let node = nodeIds.get(key);
    if (node === undefined) {
      node = nodes.length;
      nodeIds.set(key, node);
      totals.push(0);
      if (key < 0) {
        nodes.push({
          kind: "task",
          id: `t:${def.tasks[i]!.name}`,
          task: i,
          group: names[taskGroup[i]!]!,
        });
      } else {
        const from = Math.floor(def.layer[i]! / width) * width;
        const group = collapsed[i] === other ? OTHER_GROUPS : names[collapsed[i]!]!;
        nodes.push({
          kind: "group",
          id: width === 1 ? `g:${group}@${from}` : `g:${group}@${from}+${width}`,
          group,
          layers: [from, Math.min(from + width - 1, maxLayer)],
          total: 0,
        });
      }
    }
    nodeOf[i] = node;
    totals[node]!++;
  }
  const withTotals = nodes.map((node, k) =>
    node.kind === "group" ? { ...node, total: totals[k]! } : node,
  );
  return {
    mode: "groups",
    nodes: withTotals,
    edges: edgesBetween(def, nodeOf, nodes.length),
    nodeOf,
    groups,
    expanded,
  };
}

/**
 * A numeric node key per task (numbers, not strings: 100k string keys cost a tenth of a second
 * on the first view): collapsed group × layer range, or the negative task index for a task of an
 * expanded group, which is a node of its own and does not count against the room.
 */
function collapseKeys(
  def: CompiledWorkflow,
  width: number,
  collapsed: Uint32Array,
  isExpanded: (i: number) => boolean,
): { of: Float64Array; distinct: number } {
  const of = new Float64Array(def.size);
  const seen = new Set<number>();
  const buckets = Math.floor(def.size / width) + 2;
  for (let i = 0; i < def.size; i++) {
    if (isExpanded(i)) {
      of[i] = -(i + 1);
      continue;
    }
    const key = collapsed[i]! * buckets + Math.floor(def.layer[i]! / width);
    of[i] = key;
    seen.add(key);
  }
  return { of, distinct: seen.size };
}

function edgesBetween(
  def: CompiledWorkflow,
  nodeOf: Uint32Array,
  count: number,
): Array<[number, number]> {
  const seen = new Set<number>();
  const edges: Array<[number, number]> = [];
  for (let c = 0; c < def.size; c++) {
    const to = nodeOf[c]!;
    for (let k = def.parentStart[c]!; k < def.parentStart[c + 1]!; k++) {
      const from = nodeOf[def.parents[k]!]!;
      if (from === to) continue;
      const key = from * count + to;
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push([from, to]);
    }
  }
  return edges;
}

export type GraphNode =
  | {
      readonly kind: "task";
      readonly id: string;
      readonly name: string;
      readonly group: string;
      readonly layer: number;
      readonly state: TaskState;
      /** For a map that expanded: how many instances it has, and their counts by state. */
      readonly instances?: {
        readonly total: number;
        readonly counts: Partial<Record<TaskState, number>>;
      };
    }
  | {
      readonly kind: "group";
      readonly id: string;
      readonly group: string;
      readonly layers: readonly [number, number];
      readonly total: number;
      /** Only the states some task of the node is in. */
      readonly counts: Partial<Record<TaskState, number>>;
    };

export interface GraphView {
  readonly mode: GraphShape["mode"];
  readonly nodes: GraphNode[];
  readonly edges: ReadonlyArray<readonly [number, number]>;
  readonly groups: GraphShape["groups"];
  readonly expanded: readonly string[];
}

/**
 * The shape with the run's current states filled in: one pass over the tasks. The shape is the
 * definition's; a map's instances are drawn in their map's node: counted in a group, and as the
 * `instances` of a task node.
 */
export function graphView(shape: GraphShape, run: RunState): GraphView {
  const counts = shape.nodes.map(() => new Uint32Array(TASK_STATES.length));
  const instances = new Map<number, Uint32Array>();
  for (let i = 0; i < run.size; i++) {
    const t = run.taskOf(i);
    const node = shape.nodeOf[t]!;
    counts[node]![run.status[i]!]!++;
    if (t === i) continue;
    const mine = instances.get(t) ?? new Uint32Array(TASK_STATES.length);
    instances.set(t, mine);
    mine[run.status[i]!]!++;
  }
  const byState = (c: Uint32Array) => {
    const out: Partial<Record<TaskState, number>> = {};
    c.forEach((n, code) => {
      if (n > 0) out[TASK_STATES[code]!] = n;
    });
    return out;
  };
  const nodes = shape.nodes.map((node, k): GraphNode => {
    if (node.kind === "task") {
      const mine = instances.get(node.task);
      return {
        kind: "task",
        id: node.id,
        name: run.def.tasks[node.task]!.name,
        group: node.group,
        layer: run.def.layer[node.task]!,
        state: TASK_STATES[run.status[node.task]!]!,
        ...(mine
          ? { instances: { total: mine.reduce((a, b) => a + b, 0), counts: byState(mine) } }
          : {}),
      };
    }
    const total = counts[k]!.reduce((a, b) => a + b, 0);
    return { ...node, total, counts: byState(counts[k]!) };
  });
  return {
    mode: shape.mode,
    nodes,
    edges: shape.edges,
    groups: shape.groups,
    expanded: shape.expanded,
  };
}
