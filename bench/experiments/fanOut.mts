import { getStatus } from "../../src/engine/queries.js";
import { startStack } from "../stack.js";
import { fanOutOf } from "../workflowShapes.js";

const n = Number(process.argv[2] ?? 5000);
const stack = await startStack({ workers: 4, concurrency: 4, log: () => {} });
const c0 = stack.cpu();
const t0 = Date.now();
const { id } = await stack.client.submit(fanOutOf(n));
for (;;) {
  const s = await getStatus(stack.watch, id);
  if (s && s.status !== "running" && s.status !== "pending") break;
  await new Promise((r) => setTimeout(r, 100));
}
const wall = (Date.now() - t0) / 1000;
const c1 = stack.cpu();
const per = Object.fromEntries(
  Object.keys(c1).map((k) => [k, ((((c1[k] ?? 0) - (c0[k] ?? 0)) * 1000) / n).toFixed(2)]),
);
console.log(
  `${n} tasks in ${wall.toFixed(1)} s = ${(n / wall).toFixed(1)} tasks/s; CPU ms/task`,
  per,
);
await stack.stop();
