import { startAzurite } from "../src/azure/azurite.js";
import { connectStorage } from "../src/azure/connect.js";
import {
  applyEvents,
  type CompiledWorkflow,
  compileDefinition,
  createRun,
  type Event,
  type Json,
} from "../src/core/index.js";
import { frame } from "../src/engine/codec.js";
import { createEngine, provision } from "../src/engine/context.js";
import { ingestCompletionMessage } from "../src/engine/ingest.js";
import { submitWorkflow } from "../src/engine/submit.js";
import { memoryStorage } from "../src/memory/memoryStorage.js";
import type { Storage } from "../src/storage/ports.js";
import type { UnnamedFigure as Figure } from "./figure.js";

const T0 = 1_700_000_000_000;
const ITEMS = 10_000;
/** The coordinator's default window: the expanding cycle dispatches this many instances. */
const WINDOW = 1000;

/** 10,000 shard descriptors, about 40 bytes each as JSON (400 KB: a spilled output). */
const items: Json[] = Array.from({ length: ITEMS }, (_, k) => ({
  shard: `part-${String(k).padStart(5, "0")}`,
  rows: (k * 7919) % 100_000,
}));

/** prep → train (mapped over prep's shards) → agg, beside `pad` tasks that wait on `hold`. */
function definition(pad: number) {
  return {
    name: `map-${pad}`,
    tasks: [
      { name: "prep", command: "x" },
      { name: "train", command: "x", depends_on: ["prep"], map: "inputs.prep.shards" },
      { name: "agg", command: "x", depends_on: ["train"] },
      ...(pad > 0 ? [{ name: "hold", command: "x" }] : []),
      ...Array.from({ length: pad }, (_, k) => ({
        name: `pad/${k}`,
        command: "x",
        depends_on: ["hold"],
      })),
    ],
  };
}

/** The same fan-out written out: 10,000 tasks in the definition, dispatched when prep ends. */
function writtenOut() {
  const names = Array.from({ length: ITEMS }, (_, k) => `train/${k}`);
  return {
    name: "written-out",
    tasks: [
      { name: "prep", command: "x" },
      ...names.map((name) => ({ name, command: "x", depends_on: ["prep"] })),
      { name: "agg", command: "x", depends_on: names },
    ],
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * The transition that expands the map (prep's completion, its output the 10,000 items): the
 * reducer's time, window dispatch included, then the journal frame the serverless path appends
 * for it (gzip) and its size; and the frame of the next batch of 100 completions, to show the
 * items are not written again.
 */
function coreFigures(def: CompiledWorkflow, label: string): Figure[] {
  const reducer: number[] = [];
  const framing: number[] = [];
  let bytes = 0;
  let next = 0;
  for (let rep = 0; rep < 7; rep++) {
    const { run } = createRun(def, "bench", T0, { maxInFlight: WINDOW });
    const done: Event = { kind: "completed", task: 0, attempt: 1, output: { shards: items } };
    const t0 = performance.now();
    const t = applyEvents(run, [done], T0 + 1, { maxInFlight: WINDOW });
    const t1 = performance.now();
    const block = frame(t.delta);
    const t2 = performance.now();
    if (run.size !== def.size + ITEMS || t.commands.length < WINDOW - 1)
      throw new Error("bench: the map did not expand as expected");
    reducer.push(t1 - t0);
    framing.push(t2 - t1);
    bytes = block.length;
    const after: Event[] = [];
    for (let k = 0; k < 100; k++)
      after.push({ kind: "completed", task: def.size + k, attempt: 1, output: { loss: k } });
    next = frame(applyEvents(run, after, T0 + 2, { maxInFlight: WINDOW }).delta).length;
  }
  return [
    {
      name: `map of 10,000 items in ${label}: expanding transition (reducer)`,
      value: median(reducer),
      unit: "ms",
      target: "< 1,000 ms",
    },
    {
      name: `map of 10,000 items in ${label}: its journal frame, gzip`,
      value: median(framing),
      unit: "ms",
    },
    { name: `map of 10,000 items in ${label}: its journal frame`, value: bytes, unit: "B" },
    {
      name: `map of 10,000 items in ${label}: next 100 completions' frame`,
      value: next,
      unit: "B",
    },
  ];
}

/**
 * The whole coordinator cycle that expands the map, as the serverless path runs it: prep's
 * completion (its 400 KB output spilled to a blob, as a worker would) ingested, the output
 * fetched, the reducer run, the window's 1,000 task messages sent, the expansion appended to
 * the journal. Timed from the ingest call to the end of the coordinator's flush.
 */
async function cycleMs(storage: Storage, prefix: string, written = false): Promise<number> {
  const engine = createEngine(storage, { prefix, coordinator: { maxInFlight: WINDOW } });
  await provision(engine);
  const { id } = await submitWorkflow(engine, written ? writtenOut() : definition(0));
  await engine.coordinator.flush();
  const path = engine.names.outputBlob(id, "prep", 1);
  const text = JSON.stringify({ shards: items });
  await storage.blobs.write(path, Buffer.from(text));
  const output = { $dagq: "output-ref", path, bytes: Buffer.byteLength(text) };
  const report = { kind: "completed", workflow_id: id, task: "prep", attempt: 1, output };
  const t0 = performance.now();
  await ingestCompletionMessage(engine, JSON.stringify({ v: 1, completions: [report] }));
  await engine.coordinator.flush();
  const ms = performance.now() - t0;
  const loaded = await engine.state.load(id);
  if (loaded?.run.size !== 2 + ITEMS + (written ? 0 : 1))
    throw new Error("bench: the map did not expand");
  const sent = await storage.queues.depth(engine.names.taskQueue("default"));
  // prep's own message is still there: no worker took it.
  if (sent !== WINDOW + 1) throw new Error(`bench: ${sent - 1} task messages sent, not ${WINDOW}`);
  return ms;
}

/**
 * Dynamic fan-out: a 10,000-item map expanding, in the core (in a 3-task workflow, and beside
 * 80,000 other tasks) and as one whole coordinator cycle on the in-memory storage and on
 * Azurite (`--core` leaves the cycles out).
 */
export async function runMapBench(
  log: (line: string) => void,
  opts: { readonly core?: boolean } = {},
): Promise<Figure[]> {
  const figures = [
    ...coreFigures(compileDefinition(definition(0)), "3 tasks"),
    ...coreFigures(compileDefinition(definition(80_000)), "80k tasks"),
  ];
  log("map: core done");
  if (opts.core) return figures;
  const memory: number[] = [];
  for (let rep = 0; rep < 5; rep++) memory.push(await cycleMs(memoryStorage(), "m"));
  figures.push({
    name: "map of 10,000 items: whole expanding cycle, in-memory storage",
    value: median(memory),
    unit: "ms",
    target: "< 1,000 ms",
  });
  log("map: in-memory cycle done");
  const azurite = await startAzurite();
  try {
    const runs: number[] = [];
    const baseline: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      const storage = (name: string) =>
        connectStorage({
          connectionString: azurite.connectionString,
          container: `${name}-workflows`,
        });
      runs.push(await cycleMs(storage(`map${rep}`), `map${rep}`));
      baseline.push(await cycleMs(storage(`out${rep}`), `out${rep}`, true));
    }
    figures.push(
      {
        name: "map of 10,000 items: whole expanding cycle, Azurite (1,000 messages sent)",
        value: median(runs),
        unit: "ms",
      },
      {
        name: "the same 10,000 tasks written out: the cycle that dispatches them, Azurite",
        value: median(baseline),
        unit: "ms",
      },
    );
  } finally {
    await azurite.stop();
  }
  log("map: Azurite cycle done");
  return figures;
}
