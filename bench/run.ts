/**
 * `npm run bench`: every benchmark in one process, one report.
 *
 *   --json    one JSON object per metric on stdout: {"metric","value","unit","target","pass"}
 *   --quick   every metric at reduced size (under 2 minutes); each JSON line says "quick": true
 *   --core / --ingest / --e2e   only those suites (any combination; all by default)
 *   --save FILE   also write the JSON lines to FILE (for bench/chart.ts), whatever stdout shows:
 *             one full run gives both the table and the chart
 *
 * Progress goes to stderr. The end-to-end suite runs the built CLI (dist/): build first.
 */
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { runCoreBench } from "./coreBench.js";
import { checkBuild } from "./dagqProcess.js";
import { FULL_E2E, QUICK_E2E, runE2eBench, type ShapePoint } from "./e2eBench.js";
import { type Figure, formatNumber, jsonLine, table, withMetrics } from "./figure.js";
import { runMapBench } from "./mapBench.js";
import { runMemoryE2e } from "./memoryE2e.js";
import { runRecoverBench } from "./recoverBench.js";
import { FULL_INGEST, QUICK_INGEST, runServerlessBench } from "./serverlessBench.js";

// node:util's parser: unknown options and a --save without a file are errors, not ignored.
let options: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      json: { type: "boolean", default: false },
      quick: { type: "boolean", default: false },
      core: { type: "boolean", default: false },
      ingest: { type: "boolean", default: false },
      e2e: { type: "boolean", default: false },
      save: { type: "string" },
    },
  }).values;
}
try {
  options = parse();
} catch (e) {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exit(2);
}
const { json, quick, save } = options;
const chosen = (["core", "ingest", "e2e"] as const).filter((s) => options[s]);
const suites = new Set<string>(chosen.length > 0 ? chosen : ["core", "ingest", "e2e"]);

const started = performance.now();
const log = (line: string) =>
  process.stderr.write(
    `[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`,
  );
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const settings = Object.entries(process.env)
  .filter(([k]) => k.startsWith("DAGQ_"))
  .map(([k, v]) => `${k}=${v}`);
const header = [
  `dagq benchmarks — node ${process.version}, ${cpus().length} cores, ${new Date().toISOString()}`,
  `load average at start ${load()}${settings.length ? `; settings from the environment: ${settings.join(" ")}` : ""}`,
  ...(quick
    ? [
        "QUICK RUN: every metric at reduced size; figures are indicative, not comparable with the targets",
      ]
    : []),
];
for (const line of header) log(line);

if (suites.has("e2e")) checkBuild();
const figures: Figure[] = [];
let shapes: ShapePoint[] = [];
/** After each suite: a run stopped half-way still leaves what it measured. */
const saveSoFar = () => {
  if (save) writeFileSync(save, figures.map((f) => `${jsonLine(f, quick)}\n`).join(""));
};
if (suites.has("core")) {
  figures.push(...runCoreBench(log, quick ? 10_000 : 100_000));
  figures.push(...withMetrics("rerun", runRecoverBench(log)));
  figures.push(...withMetrics("map", await runMapBench(log, { core: !suites.has("ingest") })));
}
saveSoFar();
if (suites.has("ingest"))
  figures.push(...(await runServerlessBench(log, quick ? QUICK_INGEST : FULL_INGEST)));
saveSoFar();
if (suites.has("e2e")) {
  const e2e = await runE2eBench(quick ? QUICK_E2E : FULL_E2E, log);
  const sizes = quick ? QUICK_E2E : FULL_E2E;
  const memory = await runMemoryE2e(
    {
      fanOuts: [sizes.fanOut1k, sizes.fanOut5k],
      submits: sizes.submits * 10,
      many: quick ? 300 : sizes.scale,
    },
    log,
  );
  figures.unshift(...e2e.figures, ...memory);
  shapes = e2e.shapes;
}
const seconds = (performance.now() - started) / 1000;
log(`done in ${seconds.toFixed(0)} s; load average at the end ${load()}`);

const shapeFigures = shapes.flatMap((p): Figure[] => [
  {
    metric: `shape.${p.shape}.${p.tasks}.tasks_per_s`,
    name: `${p.shape} ${p.tasks}: tasks/s`,
    value: p.tasksPerS,
    unit: "tasks/s",
  },
  {
    metric: `shape.${p.shape}.${p.tasks}.requests_per_task`,
    name: `${p.shape} ${p.tasks}: requests/task`,
    value: p.requestsPerTask,
    unit: "requests",
  },
]);

const jsonLines = [...figures, ...shapeFigures].map((f) => jsonLine(f, quick));
if (save) writeFileSync(save, `${jsonLines.join("\n")}\n`);
if (json) {
  for (const line of jsonLines) console.log(line);
} else {
  console.log(
    ["", ...header, `took ${seconds.toFixed(0)} s; load average at the end ${load()}`, ""].join(
      "\n",
    ),
  );
  console.log(table(figures).join("\n"));
  if (shapes.length > 0) {
    console.log(
      "\nend to end, by workflow shape (tasks in the workflow: tasks/s, storage requests/task):",
    );
    for (const p of shapes)
      console.log(
        `  ${p.shape.padEnd(8)} ${String(p.tasks).padStart(6)}: ${formatNumber(p.tasksPerS).padStart(8)} tasks/s  ${formatNumber(p.requestsPerTask).padStart(6)} requests/task`,
      );
  }
}
