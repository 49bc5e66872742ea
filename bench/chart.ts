/**
 * `npx tsx bench/chart.ts RESULTS.jsonl OUT.svg [NOTE]`: the chart of docs/benchmarks.md, from the
 * lines `npm run bench -- --json` printed — end-to-end tasks/s and storage requests per task
 * against the workflow's size, one line per shape, with the targets drawn in.
 *
 * d3-scale (small, no DOM) does the arithmetic a chart gets wrong by hand: log and linear
 * domains, nice bounds, tick values and their SI labels. The SVG around it is a few template
 * strings: the chart-rendering libraries that run in Node without a browser (Vega-Lite) bring
 * some 80 packages for two panels of lines.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { type ScaleContinuousNumeric, scaleLinear, scaleLog } from "d3-scale";

export interface Line {
  readonly metric: string;
  readonly value: number | null;
  readonly quick?: boolean;
}

export const SHAPES = {
  fanout: "fan-out/fan-in (root → n−2 leaves → join)",
  chain: "chain (a → b → …; 3 tasks: workflows run one after another)",
  layered: "layered, 3 parents each",
  many3:
    "many 3-task workflows submitted while they run (x: their tasks in all; a capped run is projected)",
} as const;

/** Colours of the Tableau 10 palette, in the order of SHAPES. */
const COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#af7aa1"];

export type Measure = "tasks/s" | "requests/task";

export interface Point {
  readonly shape: string;
  readonly tasks: number;
  readonly measure: Measure;
  readonly value: number;
}

/** The chart's points: the `shape.<shape>.<tasks>.<tasks_per_s|requests_per_task>` lines. */
export function points(lines: readonly Line[]): Point[] {
  return lines.flatMap((l) => {
    const m = /^shape\.(\w+)\.(\d+)\.(tasks_per_s|requests_per_task)$/.exec(l.metric);
    if (!m || l.value === null || !Number.isFinite(l.value) || l.value <= 0) return [];
    const measure: Measure = m[3] === "tasks_per_s" ? "tasks/s" : "requests/task";
    return [{ shape: m[1]!, tasks: Number(m[2]), measure, value: l.value }];
  });
}

const W = 420;
const H = 260;
const MARGIN = { left: 64, right: 24, top: 70, bottom: 48 };
const PANEL_W = MARGIN.left + W + MARGIN.right;

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const fixed = (n: number) => n.toFixed(1);

/** Ticks to label: on a log axis over many decades, only 1, 2 and 5 times a power of ten. */
function ticks(scale: ScaleContinuousNumeric<number, number>, log: boolean): number[] {
  const all = scale.ticks(6);
  if (!log) return all;
  const decades = Math.log10(scale.domain()[1]! / scale.domain()[0]!);
  const keep = decades > 3 ? [1] : [1, 2, 5];
  return all.filter((t) => keep.includes(Math.round(t / 10 ** Math.floor(Math.log10(t) + 1e-9))));
}

interface PanelSpec {
  readonly measure: Measure;
  readonly title: string;
  readonly target: number;
  readonly logY: boolean;
}

function panel(data: readonly Point[], spec: PanelSpec, xMax: number, dx: number): string {
  const own = data.filter((p) => p.measure === spec.measure);
  const x = scaleLog().domain([1, xMax]).range([0, W]).nice();
  const values = [...own.map((p) => p.value), spec.target];
  const y = (
    spec.logY
      ? scaleLog().domain([Math.min(...values) / 1.5, Math.max(...values) * 1.5])
      : scaleLinear().domain([0, Math.max(...values) * 1.1])
  )
    .range([H, 0])
    .nice();
  // SI prefixes above a thousand only: 0.5 reads better than 500m.
  const fmt = (s: ScaleContinuousNumeric<number, number>) => {
    const si = s.tickFormat(6, "~s");
    return (t: number) => (t < 1000 ? String(Number(t.toPrecision(3))) : si(t));
  };
  const out = [`<g transform="translate(${dx + MARGIN.left},${MARGIN.top})">`];
  out.push(`<text x="${W / 2}" y="-12" class="panel">${esc(spec.title)}</text>`);
  for (const t of ticks(y, spec.logY))
    out.push(
      `<line x1="0" x2="${W}" y1="${fixed(y(t))}" y2="${fixed(y(t))}" class="grid"/>`,
      `<text x="-6" y="${fixed(y(t))}" class="ylab">${fmt(y)(t)}</text>`,
    );
  for (const t of ticks(x, true))
    out.push(
      `<line x1="${fixed(x(t))}" x2="${fixed(x(t))}" y1="0" y2="${H}" class="grid"/>`,
      `<text x="${fixed(x(t))}" y="${H + 16}" class="xlab">${fmt(x)(t)}</text>`,
    );
  out.push(
    `<rect width="${W}" height="${H}" class="frame"/>`,
    `<text x="${W / 2}" y="${H + 38}" class="axis">tasks in the workflow (log scale)</text>`,
    `<text transform="translate(-48,${H / 2}) rotate(-90)" class="axis">${spec.measure}${spec.logY ? " (log scale)" : ""}</text>`,
    `<line x1="0" x2="${W}" y1="${fixed(y(spec.target))}" y2="${fixed(y(spec.target))}" class="target"/>`,
    `<text x="${W - 4}" y="${fixed(y(spec.target) - 5)}" class="tlab">target ${spec.measure === "tasks/s" ? "≥" : "≤"} ${spec.target}</text>`,
  );
  Object.keys(SHAPES).forEach((shape, k) => {
    const series = own.filter((p) => p.shape === shape).sort((a, b) => a.tasks - b.tasks);
    if (series.length === 0) return;
    const colour = COLOURS[k % COLOURS.length]!;
    const xy = series.map((p) => `${fixed(x(p.tasks))},${fixed(y(p.value))}`);
    if (series.length > 1)
      out.push(`<path d="M${xy.join("L")}" stroke="${colour}" class="series"/>`);
    for (const [i, p] of series.entries())
      out.push(
        `<circle cx="${xy[i]!.split(",")[0]}" cy="${xy[i]!.split(",")[1]}" r="4" fill="${colour}"><title>${esc(`${shape} ${p.tasks}: ${p.value.toPrecision(3)} ${p.measure}`)}</title></circle>`,
      );
  });
  out.push("</g>");
  return out.join("\n");
}

export function chartSvg(lines: readonly Line[], subtitle: string): string {
  const data = points(lines);
  const xMax = Math.max(10, ...data.map((p) => p.tasks));
  const shown = Object.entries(SHAPES).filter(([s]) => data.some((p) => p.shape === s));
  const width = 2 * PANEL_W;
  const legendY = MARGIN.top + H + MARGIN.bottom + 8;
  const height = legendY + 20 * shown.length + 8;
  const legend = Object.keys(SHAPES).flatMap((shape, k) => {
    const row = shown.findIndex(([s]) => s === shape);
    if (row < 0) return [];
    const y = legendY + 20 * row;
    return [
      `<circle cx="${MARGIN.left + 6}" cy="${y}" r="5" fill="${COLOURS[k % COLOURS.length]}"/>`,
      `<text x="${MARGIN.left + 18}" y="${y + 4}">${esc(SHAPES[shape as keyof typeof SHAPES])}</text>`,
    ];
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    "<title>dagq end to end: tasks per second and storage requests per task against workflow size, by shape</title>",
    "<style>",
    ".grid{stroke:#e6e6e6}.frame{fill:none;stroke:#888}.series{fill:none;stroke-width:2}",
    ".target{stroke:#555;stroke-dasharray:5 4}.tlab{text-anchor:end;fill:#555}",
    ".xlab{text-anchor:middle}.ylab{text-anchor:end;dominant-baseline:middle}",
    ".axis{text-anchor:middle;font-weight:bold}.panel{text-anchor:middle;font-weight:bold;font-size:13px}",
    "</style>",
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="16" y="24" font-size="15" font-weight="bold">dagq end to end on Azurite: dagq host + 4 dagq workers × 4, every task runs \`true\`</text>`,
    `<text x="16" y="42" fill="#555">${esc(subtitle)}</text>`,
    panel(
      data,
      { measure: "tasks/s", title: "tasks per second", target: 200, logY: true },
      xMax,
      0,
    ),
    panel(
      data,
      { measure: "requests/task", title: "storage requests per task", target: 2, logY: false },
      xMax,
      PANEL_W,
    ),
    ...legend,
    "</svg>",
    "",
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [input, output, note] = process.argv.slice(2);
  if (!input || !output) {
    process.stderr.write("usage: npx tsx bench/chart.ts RESULTS.jsonl OUT.svg [NOTE]\n");
    process.exit(2);
  }
  const lines = readFileSync(input, "utf8")
    .split("\n")
    .filter((l) => l.trim().startsWith("{"))
    .map((l) => JSON.parse(l) as Line);
  const quick = lines.some((l) => l.quick);
  const subtitle = [
    quick ? "QUICK run (reduced sizes, not comparable with the targets)" : "full run",
    note ?? "",
  ]
    .filter(Boolean)
    .join("; ");
  writeFileSync(output, chartSvg(lines, subtitle));
  process.stderr.write(`${output}: ${points(lines).length} points\n`);
}
