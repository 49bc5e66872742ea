/**
 * `npx tsx bench/logsOverhead.ts [--tasks N] [--rounds R] [--command CMD]`: what task logs cost
 * the hot path. Azurite (on loopback), the local functions host over it, and 4 workers (each with
 * 4 tasks at once) run a workflow of N independent tasks (5,000 `true` by default), once with
 * logs off and once with them on, R times, alternating so that the machine's drift falls on
 * both. Throughput is tasks per second from the submit to the workflow's end, averaged over the
 * rounds. The bar: with logs on, within 10% of logs off.
 */
import { parseArgs } from "node:util";
import { startAzurite } from "../src/azure/azurite.js";
import { connectStorage } from "../src/azure/connect.js";
import { DagqClient } from "../src/client/index.js";
import { readConfig } from "../src/config.js";
import { readHostJson } from "../src/host/hostJson.js";
import { startLocalHost } from "../src/host/localHost.js";
import { DEFAULT_LOG_LIMITS } from "../src/worker/attemptLog.js";
import { startWorkerGroup, type WorkerGroup } from "../src/worker/workerGroup.js";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "5000" },
    rounds: { type: "string", default: "2" },
    command: { type: "string", default: "true" },
    workers: { type: "string", default: "4" },
  },
});
const tasks = Number(values.tasks);
const rounds = Number(values.rounds);
const workers = Number(values.workers);

const azurite = await startAzurite();
const settings = await readHostJson("host.json");
const results: Record<"off" | "on", number[]> = { off: [], on: [] };
try {
  for (let round = 0; round < rounds; round++) {
    for (const mode of round % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const)) {
      // A deployment of its own per run: nothing left over from the previous one.
      const prefix = `bench${round}${mode}`;
      const host = await startLocalHost({
        config: readConfig({ DagqStorage: azurite.connectionString, DAGQ_PREFIX: prefix }),
        hostJson: { ...settings, queues: { ...settings.queues, maxPollingIntervalMs: 250 } },
        keys: { function: ["k"] },
        statsEveryMs: 0,
      });
      const storage = connectStorage({
        connectionString: azurite.connectionString,
        container: `${prefix}-workflows`,
      });
      const group: WorkerGroup[] = [];
      for (let k = 0; k < workers; k++)
        group.push(
          await startWorkerGroup({
            storage,
            prefix,
            queues: ["default"],
            concurrency: 4,
            pollMaxMs: 200,
            id: `bench-${k}`,
            logs: mode === "on" ? DEFAULT_LOG_LIMITS : null,
          }),
        );
      const client = new DagqClient({ url: host.url, key: "k" });
      const definition = {
        name: `logs-${mode}`,
        tasks: Array.from({ length: tasks }, (_, i) => ({
          name: `t${i}`,
          command: values.command,
        })),
      };
      const t0 = performance.now();
      try {
        const { id } = await client.submit(definition);
        const end = await client.waitFor(id, { intervalMs: 250 });
        const seconds = (performance.now() - t0) / 1000;
        if (end.counts.completed !== tasks) throw new Error(JSON.stringify(end.counts));
        results[mode].push(tasks / seconds);
        console.error(
          `round ${round + 1} logs ${mode}: ${(tasks / seconds).toFixed(1)} tasks/s (${seconds.toFixed(1)} s)`,
        );
      } catch (e) {
        // A run the overloaded machine could not finish is left out, and said so.
        console.error(`round ${round + 1} logs ${mode}: left out: ${String(e)}`);
      }
      await Promise.all(group.map((g) => g.stop()));
      await host.stop();
      await storage.close();
    }
  }
} finally {
  await azurite.stop();
}
// The machine is shared and its load drifts over minutes: runs alternate (off on, on off, …)
// and the figures are means, with each round's on/off ratio to show the spread.
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const off = mean(results.off);
const on = mean(results.on);
console.log(
  JSON.stringify({
    tasks,
    command: values.command,
    workers,
    rounds,
    offTasksPerS: Number(off.toFixed(1)),
    onTasksPerS: Number(on.toFixed(1)),
    onVsOff: Number((on / off).toFixed(3)),
    roundRatios: results.on.map((x, k) => Number((x / (results.off[k] ?? Number.NaN)).toFixed(3))),
    runs: results,
  }),
);
