import { getStatus } from "../../src/engine/queries.js";
import { breakdownLines, countedBetween } from "../requestCounts.js";
import { startStack } from "../stack.js";
import { chainOf } from "../workflowShapes.js";

const N = Number(process.argv[2] ?? 10);
const stack = await startStack({ workers: 4, concurrency: 4, log: () => {} });
const def = chainOf(3);
await new Promise((r) => setTimeout(r, 3000));
const before = stack.proxy.snapshot();
const t0 = Date.now();
for (let k = 0; k < N; k++) {
  const { id } = await stack.client.submit(def);
  for (;;) {
    const s = await getStatus(stack.watch, id);
    if (s && s.status !== "running" && s.status !== "pending") break;
    await new Promise((r) => setTimeout(r, 50));
  }
}
const secs = (Date.now() - t0) / 1000;
await new Promise((r) => setTimeout(r, 2000));
const tallies = countedBetween(before, stack.proxy.snapshot(), ["host", "worker"]);
console.log(`${N} in turn: ${secs.toFixed(1)} s`);
for (const l of breakdownLines(tallies, N, "workflow")) console.log(l);
await stack.stop();
