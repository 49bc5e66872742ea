import { gzipSync } from "node:zlib";
import {
  applyEvents,
  type Command,
  type CompiledWorkflow,
  compileDefinition,
  createRun,
  type Event,
  type RunState,
  snapshot,
} from "../src/core/index.js";
import { verifyCounters } from "../src/core/summary.js";
import { atLeast, atMost, type Figure } from "./figure.js";

const T0 = 1_700_000_000_000;

export function fanOutFanIn(leaves: number): CompiledWorkflow {
  const tasks = [{ name: "root", command: "x" }];
  for (let i = 0; i < leaves; i++)
    tasks.push({ name: `leaf/${i}`, command: "x", depends_on: ["root"] } as never);
  tasks.push({
    name: "join",
    command: "x",
    depends_on: tasks.slice(1).map((t) => t.name),
  } as never);
  return compileDefinition({ name: "fan", tasks });
}

/** `layers` layers of `width` tasks; each task depends on 3 pseudo-random tasks of the layer before. */
export function layered(layers: number, width: number): CompiledWorkflow {
  const tasks: Array<{ name: string; command: string; depends_on: string[] }> = [];
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % width;
  };
  for (let l = 0; l < layers; l++) {
    for (let w = 0; w < width; w++) {
      const deps =
        l === 0 ? [] : [...new Set([rand(), rand(), rand()])].map((p) => `l${l - 1}/t${p}`);
      tasks.push({ name: `l${l}/t${w}`, command: "x", depends_on: deps });
    }
  }
  return compileDefinition({ name: "layered", tasks });
}

/** Completes every dispatched task, `batch` completions per applyEvents call; returns completions/s. */
/** With `measure`, also encodes every delta (slow: not for timing) and averages bytes per completion. */
function drain(
  run: RunState,
  first: Command[],
  batch: number,
  measure = false,
): {
  perSecond: number;
  completions: number;
  deltaBytes: number;
  deltaGzBytes: number;
  batches: number;
} {
  let queue = first.filter((c) => c.kind === "dispatch").map((c) => c.task);
  let completions = 0;
  let deltaBytes = 0;
  let deltaGzBytes = 0;
  let batches = 0;
  let now = T0;
  const start = performance.now();
  while (queue.length > 0) {
    const next: number[] = [];
    for (let k = 0; k < queue.length; k += batch) {
      const events: Event[] = queue
        .slice(k, k + batch)
        .map((task) => ({ kind: "completed", task, attempt: 1, output: { v: task } }));
      const t = applyEvents(run, events, ++now);
      completions += events.length;
      batches++;
      if (measure) {
        const json = JSON.stringify(t.delta);
        deltaBytes += json.length;
        deltaGzBytes += gzipSync(json).length;
      }
      for (const c of t.commands) if (c.kind === "dispatch") next.push(c.task);
    }
    queue = next;
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    perSecond: completions / seconds,
    completions,
    deltaBytes: deltaBytes / completions,
    deltaGzBytes: deltaGzBytes / completions,
    batches,
  };
}

function heapUsed(): number {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
}

/** `n` tasks per workflow: 100,000 for the report, fewer for a quick run. */
export function runCoreBench(log: (line: string) => void, n = 100_000): Figure[] {
  const figures: Figure[] = [];
  const k = `${n / 1000}k`;
  for (const [shape, label, build] of [
    ["fanout", `fan-out/fan-in ${k}`, () => fanOutFanIn(n - 2)],
    ["layered", `layered ${n / 1000}x1000`, () => layered(n / 1000, 1000)],
  ] as const) {
    const m = (what: string) => `core.${shape}.${what}`;
    let t0 = performance.now();
    const def = build();
    const compileMs = performance.now() - t0;
    const { run, transition } = createRun(def, "bench", T0);
    // Four more runs side by side, measured once the earlier garbage is gone.
    heapUsed();
    const before = heapUsed();
    const extra = [1, 2, 3, 4].map((k) => createRun(def, `m${k}`, T0));
    const stateBytes = (heapUsed() - before) / (extra.length * def.size);
    extra.length = 0;
    // The compiled definition is shared by every run of the workflow and cached per instance.
    const beforeDefs = heapUsed();
    const defs = [build(), build()];
    const definitionBytes = (heapUsed() - beforeDefs) / (defs.length * def.size);
    defs.length = 0;
    const fresh = JSON.stringify(snapshot(run));
    const freshGz = gzipSync(fresh).length;
    t0 = performance.now();
    const r = drain(run, transition.commands, 256);
    if (run.wf.status !== "completed" || verifyCounters(run).length > 0)
      throw new Error(`${label}: bench run did not complete cleanly`);
    const endGz = gzipSync(JSON.stringify(snapshot(run))).length;
    const single = createRun(def, "bench-1", T0);
    const one = drain(single.run, single.transition.commands, 1);
    const sized = createRun(def, "bench-2", T0, { maxInFlight: 1000 });
    const bytes = drain(sized.run, sized.transition.commands, 256, true);
    figures.push(
      { metric: m("compile_ms"), name: `${label}: compile`, value: compileMs, unit: "ms" },
      {
        metric: m("completions_per_s"),
        name: `${label}: completions applied, batches of 256`,
        value: r.perSecond,
        unit: "/s",
        target: atLeast(300_000),
      },
      {
        metric: m("completions_per_s_one_per_call"),
        name: `${label}: completions applied, one per call`,
        value: one.perSecond,
        unit: "/s",
      },
      {
        metric: m("state_bytes_per_task"),
        name: `${label}: state memory`,
        value: stateBytes,
        unit: "B/task",
        target: atMost(200),
      },
      {
        metric: m("definition_bytes_per_task"),
        name: `${label}: compiled definition memory`,
        value: definitionBytes,
        unit: "B/task",
      },
      {
        metric: m("fresh_snapshot_gz_bytes_per_task"),
        name: `${label}: fresh snapshot, gzipped`,
        value: freshGz / def.size,
        unit: "B/task",
        target: atMost(20),
      },
      {
        metric: m("final_snapshot_gz_bytes_per_task"),
        name: `${label}: final snapshot, gzipped`,
        value: endGz / def.size,
        unit: "B/task",
      },
      {
        metric: m("delta_bytes_per_completion"),
        name: `${label}: delta per completion (JSON, window 1000)`,
        value: bytes.deltaBytes,
        unit: "B",
      },
      {
        metric: m("delta_gz_bytes_per_completion"),
        name: `${label}: delta per completion (gzipped)`,
        value: bytes.deltaGzBytes,
        unit: "B",
      },
    );
    log(`core: ${label} done`);
  }
  return figures;
}
