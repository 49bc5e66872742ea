import { getStatus } from "../../src/engine/queries.js";
import { startStack } from "../stack.js";
import { chainOf } from "../workflowShapes.js";

const N = Number(process.argv[2] ?? 300);
const stack = await startStack({ workers: 4, concurrency: 4, log: () => {} });
const def = chainOf(3);
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
    if (Date.now() - t0 > Number(process.env.CAP_S ?? 240) * 1000) {
      console.log("CAPPED", done, "of", N);
      const { getTasks } = await import("../../src/engine/queries.js");
      let shown = 0;
      for (const other of ids.slice(done)) {
        const st = await getStatus(stack.watch, other);
        if (st?.status === "completed") continue;
        const tasks = await getTasks(stack.watch, other, {});
        console.log(
          other,
          JSON.stringify(st),
          JSON.stringify(tasks?.tasks.map((t) => [t.name, t.status, t.attempts, t.startedAt])),
        );
        if (++shown >= 5) break;
      }
      const w = stack.watch;
      const q = w.names.taskQueue("default");
      console.log("task queue depth", await w.storage.queues.depth(q));
      const stuck = new Set<string>();
      for (const other of ids.slice(done)) {
        const st = await getStatus(w, other);
        if (st?.status !== "completed") stuck.add(other);
      }
      console.log("stuck", stuck.size);
      const first = [...stuck][0]!;
      console.log("listTop", first, await w.storage.blobs.listTop(w.names.workflowPrefix(first)));
      const { unpackTexts } = await import("../../src/protocol/taskPack.js");
      const inQueue = new Map<string, number>();
      for (let k = 0; k < 200; k++) {
        const msgs = await w.storage.queues.receive(q, 32, 300);
        if (msgs.length === 0) break;
        for (const m of msgs)
          for (const t of unpackTexts(m.text)) {
            const j = JSON.parse(t);
            if (stuck.has(j.workflow_id))
              inQueue.set(j.workflow_id, (inQueue.get(j.workflow_id) ?? 0) + 1);
          }
      }
      console.log("stuck workflows with a task message in the queue", inQueue.size);
      process.exit(1);
    }
  }
  done++;
}
console.log(
  `${N} workflows: submitted in ${submitted.toFixed(1)} s, all done in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);
await stack.stop();
