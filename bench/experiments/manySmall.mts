import { getStatus } from "../../src/engine/queries.js";
import { startStack } from "../stack.js";

const N = Number(process.argv[2] ?? 300);
const stack = await startStack({ workers: 4, concurrency: 4, log: () => {} });
const def = {
  name: "three",
  tasks: [
    { name: "a", command: "true" },
    { name: "b", command: "true", depends_on: ["a"] },
    { name: "c", command: "true", depends_on: ["b"] },
  ],
};
const t0 = Date.now();
const ids: string[] = [];
let next = 0;
await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (next < N) {
      next++;
      ids.push((await stack.client.submit(def)).id);
    }
  }),
);
const submitted = (Date.now() - t0) / 1000;
let done = 0;
for (const id of ids) {
  for (;;) {
    const s = await getStatus(stack.watch, id);
    if (s && s.status !== "running" && s.status !== "pending") break;
    await new Promise((r) => setTimeout(r, 200));
    if (Date.now() - t0 > 240_000) {
      console.log("CAPPED", done, "of", N);
      process.exit(1);
    }
  }
  done++;
}
console.log(
  `${N} workflows: submitted in ${submitted.toFixed(1)} s, all done in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);
await stack.stop();
