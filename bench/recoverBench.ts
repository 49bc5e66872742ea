import {
  applyEvents,
  type CompiledWorkflow,
  createRun,
  type Event,
  type RunState,
  snapshot,
} from "../src/core/index.js";
import { frame } from "../src/engine/codec.js";
import { fanOutFanIn } from "./coreBench.js";
import type { UnnamedFigure as Figure } from "./figure.js";

const T0 = 1_700_000_000_000;

/**
 * A fan-out/fan-in of 100,000 tasks whose leaves all ran, `failed` of them (spread evenly)
 * failing, so the join is upstream_failed and the workflow failed.
 */
function failedRun(def: CompiledWorkflow, failed: number): RunState {
  const { run } = createRun(def, "bench", T0);
  applyEvents(run, [{ kind: "completed", task: 0, attempt: 1 }], T0 + 1);
  const leaves = def.size - 2;
  const every = Math.floor(leaves / failed);
  const events: Event[] = [];
  for (let i = 1; i <= leaves; i++)
    events.push(
      (i - 1) % every === 0 && (i - 1) / every < failed
        ? { kind: "failed", task: i, attempt: 1, error: "exit code 1" }
        : { kind: "completed", task: i, attempt: 1, output: { v: i } },
    );
  for (let k = 0; k < events.length; k += 1000)
    applyEvents(run, events.slice(k, k + 1000), T0 + 2 + k);
  if (run.wf.status !== "failed") throw new Error("bench: the workflow did not fail");
  return run;
}

/**
 * Rerun: the journal frame a rerun appends (the bytes the serverless path writes for it) for
 * 100, 1,000 and 10,000 failed tasks of a 100,000-task workflow: it grows with the tasks reset,
 * not with the workflow. Beside it, the snapshot a whole-state write would cost.
 */
export function runRecoverBench(log: (line: string) => void): Figure[] {
  const figures: Figure[] = [];
  const def = fanOutFanIn(100_000 - 2);
  for (const failed of [100, 1000, 10_000]) {
    const run = failedRun(def, failed);
    const t0 = performance.now();
    const t = applyEvents(run, [{ kind: "rerun" }], T0 + 10_000_000);
    const ms = performance.now() - t0;
    if (t.delta.i.length !== failed + 1)
      throw new Error("bench: the rerun reset what it should not");
    const bytes = frame(t.delta).length;
    const json = JSON.stringify(t.delta).length;
    figures.push(
      {
        name: `rerun of ${failed.toLocaleString("en-US")} failed tasks in 100k: journal frame`,
        value: bytes,
        unit: "B",
        target: "∝ tasks reset",
      },
      {
        name: `rerun of ${failed.toLocaleString("en-US")} failed tasks in 100k: delta as JSON`,
        value: json,
        unit: "B",
      },
      {
        name: `rerun of ${failed.toLocaleString("en-US")} failed tasks in 100k: applied in`,
        value: ms,
        unit: "ms",
      },
    );
    if (failed === 1000)
      figures.push({
        name: "for scale: the same workflow's whole snapshot, gzipped",
        value: frame(snapshot(run)).length,
        unit: "B",
      });
    log(`recover: rerun of ${failed} done`);
  }
  return figures;
}
