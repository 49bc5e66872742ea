import { inject } from "vitest";
import { connectStorage } from "../../src/azure/connect.js";
import type { Engine } from "../../src/engine/context.js";
import { getTasks } from "../../src/engine/queries.js";
import {
  type Completion,
  type TaskMessage,
  TaskMessageSchema,
} from "../../src/protocol/messages.js";
import type { QueueStore } from "../../src/storage/ports.js";
import { type Behaviour, reportsFor } from "../engine/fakeWorld.js";

export function azuriteQueues(prefix: string): QueueStore {
  return connectStorage({
    connectionString: inject("azuriteConnectionString"),
    container: `${prefix}-workflows`,
  }).queues;
}

/**
 * Workers played by the test: take task messages, report on each with a behaviour that depends
 * only on (task, attempt), sometimes as one message per report, sometimes several reports
 * together, sometimes delivering a report twice. Runs until stopped.
 */
export function fakeWorkers(
  queues: QueueStore,
  prefix: string,
  behaviour: Behaviour,
  random: () => number = Math.random,
  opts: { perPoll?: number; pauseMs?: number } = {},
) {
  let stopped = false;
  const taken: TaskMessage[] = [];
  const q = `${prefix}-tasks-default`;
  const loop = (async () => {
    while (!stopped) {
      const msgs = await queues.receive(q, opts.perPoll ?? 32, 60).catch(() => []);
      const reports: Completion[] = [];
      for (const m of msgs) {
        const task = TaskMessageSchema.parse(JSON.parse(m.text));
        taken.push(task);
        reports.push(...reportsFor(task, behaviour));
      }
      if (reports.length > 0 && random() < 0.2)
        reports.push(reports[Math.floor(random() * reports.length)]!);
      while (reports.length > 0) {
        const n = 1 + Math.floor(random() * 6);
        await queues.send(
          `${prefix}-completions`,
          JSON.stringify({ v: 1, completions: reports.splice(0, n) }),
        );
      }
      await Promise.all(msgs.map((m) => queues.delete(q, m)));
      if (msgs.length === 0 || opts.pauseMs)
        await new Promise((r) => setTimeout(r, opts.pauseMs ?? 50));
    }
  })();
  return {
    taken,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** Deterministic by (task, attempt): tasks named `flaky*` fail their first attempt. */
export const mixedBehaviour: Behaviour = (m) =>
  m.task.startsWith("flaky") && m.attempt === 1
    ? { ok: false, error: "first attempt fails" }
    : { ok: true, output: { task: m.task, attempt: m.attempt, ok: true } };

/** A workflow with fan-out, fan-in, a retry, an `any` merge, a condition and a skip. */
export function mixedWorkflow(width: number) {
  const leaves = Array.from({ length: width }, (_, i) => `work/${i}`);
  return {
    name: "mixed",
    defaults: { retry_backoff_s: 0 },
    tasks: [
      { name: "root", command: "x" },
      ...leaves.map((name) => ({ name, command: "x", depends_on: ["root"] })),
      { name: "flaky", command: "x", depends_on: ["root"], num_retries: 1 },
      {
        name: "join",
        command: "x",
        depends_on: leaves,
        condition: `count(inputs["work/*"].ok) == ${width}`,
      },
      {
        name: "never",
        command: "x",
        depends_on: ["join"],
        condition: 'inputs.join.task == "nope"',
      },
      { name: "after-never", command: "x", depends_on: ["never"] },
      { name: "merge", command: "x", depends_on: ["flaky", "join"], dep_policy: "any" },
    ],
  };
}

/** Every workflow's tasks, as [status, attempts, output] by name: the shape runLocalReference returns. */
export async function finalStates(
  engine: Engine,
  ids: readonly string[],
): Promise<Array<Record<string, [string, number, unknown]>>> {
  return Promise.all(
    ids.map(async (id) => {
      const { tasks } = (await getTasks(engine, id, {}))!;
      return Object.fromEntries(
        tasks.map((t) => [t.name, [t.status, t.attempts, t.output] as [string, number, unknown]]),
      );
    }),
  );
}
