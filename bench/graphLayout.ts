/**
 * `npx tsx bench/graphLayout.ts`: which layout library the dashboard uses, measured. Lays out
 * the collapsed graphs the API returns (core/graphView.ts) with dagre and with elkjs (layered),
 * median of 5 runs each after a warm-up, in Node (the same JavaScript the browser runs).
 */
import dagre from "@dagrejs/dagre";
import elkjs from "elkjs";
import { type GraphShape, graphShape } from "../src/core/graphView.js";
import { type CompiledWorkflow, compileDefinition } from "../src/core/index.js";

function pipeline(n: number): CompiledWorkflow {
  // ingest/ → clean/ → features/ (each n/4, one to one) → train/ (20) → eval/ → deploy/
  const tasks: Array<{ name: string; command: string; depends_on?: string[] }> = [];
  const q = Math.floor((n - 30) / 3);
  for (let k = 0; k < q; k++) {
    const p = String(k).padStart(5, "0");
    tasks.push({ name: `ingest/part-${p}`, command: "x" });
    tasks.push({ name: `clean/part-${p}`, command: "x", depends_on: [`ingest/part-${p}`] });
    tasks.push({ name: `features/part-${p}`, command: "x", depends_on: [`clean/part-${p}`] });
  }
  const features = tasks.filter((t) => t.name.startsWith("features/")).map((t) => t.name);
  for (let m = 0; m < 20; m++)
    tasks.push({ name: `train/m${m}`, command: "x", depends_on: features });
  for (let m = 0; m < 9; m++)
    tasks.push({
      name: `eval/m${m}`,
      command: "x",
      depends_on: [`train/m${m}`, `train/m${m + 10}`],
    });
  tasks.push({
    name: "deploy/best",
    command: "x",
    depends_on: tasks.filter((t) => t.name.startsWith("eval/")).map((t) => t.name),
  });
  return compileDefinition({ name: "bench", tasks });
}

function chain(n: number): CompiledWorkflow {
  const tasks = Array.from({ length: n }, (_, k) => ({
    name: `step/${k}`,
    command: "x",
    depends_on: k === 0 ? [] : [`step/${k - 1}`],
  }));
  return compileDefinition({ name: "chain", tasks });
}

function withDagre(shape: GraphShape): void {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 12, ranksep: 40 });
  g.setDefaultEdgeLabel(() => ({}));
  for (let k = 0; k < shape.nodes.length; k++) g.setNode(String(k), { width: 160, height: 40 });
  for (const [a, b] of shape.edges) g.setEdge(String(a), String(b));
  dagre.layout(g);
}

// elkjs is CommonJS with an ES-style default in its types: under NodeNext the class is `.default`.
type ElkClass = new () => { layout(graph: object): Promise<unknown> };
const ELK = ((elkjs as unknown as { default?: ElkClass }).default ??
  (elkjs as unknown as ElkClass)) as ElkClass;
const elk = new ELK();
async function withElk(shape: GraphShape): Promise<void> {
  await elk.layout({
    id: "root",
    layoutOptions: { "elk.algorithm": "layered", "elk.direction": "RIGHT" },
    children: shape.nodes.map((_, k) => ({ id: String(k), width: 160, height: 40 })),
    edges: shape.edges.map(([a, b], k) => ({
      id: `e${k}`,
      sources: [String(a)],
      targets: [String(b)],
    })),
  });
}

async function median(fn: () => unknown): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[2]!;
}

const cases: Array<[string, GraphShape]> = [
  ["20,000-task pipeline, collapsed", graphShape(pipeline(20_000))],
  ["20,000-task pipeline, train/ expanded", graphShape(pipeline(20_000), ["train/", "eval/"])],
  ["5,000-task chain, collapsed to layer ranges", graphShape(chain(5_000))],
  ["200-task chain, task by task", graphShape(chain(200))],
];
for (const [name, shape] of cases) {
  const d = await median(() => withDagre(shape));
  const e = await median(() => withElk(shape));
  console.log(
    `${name.padEnd(48)} ${String(shape.nodes.length).padStart(4)} nodes ${String(shape.edges.length).padStart(5)} edges   dagre ${d.toFixed(1).padStart(7)} ms   elkjs ${e.toFixed(1).padStart(7)} ms`,
  );
}
