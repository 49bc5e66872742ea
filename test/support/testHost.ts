import { readConfig } from "../../src/config.js";
import { readHostJson } from "../../src/host/hostJson.js";
import { type LocalHost, startLocalHost } from "../../src/host/localHost.js";
import { TaskMessageSchema } from "../../src/protocol/messages.js";
import { azuriteConnectionString } from "./azurite.js";

/** A deployment prefix of its own for a test: a letter, then random lower-case letters/digits. */
export function uniquePrefix(letter: string): string {
  return `${letter}${Math.random()
    .toString(36)
    .slice(2, 10)
    .replace(/[^a-z0-9]/g, "a")}`;
}

/**
 * The local functions host over the run's Azurite, with the repository's host.json polling a
 * little faster (tests wait on it), a known function key, and no stats lines.
 */
export async function startTestHost(prefix: string, key: string): Promise<LocalHost> {
  const settings = await readHostJson("host.json");
  return startLocalHost({
    config: readConfig({ DagqStorage: azuriteConnectionString(), DAGQ_PREFIX: prefix }),
    hostJson: { ...settings, queues: { ...settings.queues, maxPollingIntervalMs: 200 } },
    keys: { function: [key] },
    statsEveryMs: 0,
  });
}

/**
 * A worker played by a test: reports started + completed for every task message of the
 * deployment's default queue (the task's name as its output), or failed for commands that say
 * `fail`, until `done` holds; throws if that takes over 15 s.
 */
export async function playWorker(
  host: LocalHost,
  prefix: string,
  done: () => Promise<boolean>,
): Promise<void> {
  const queues = (await host.runtime.engine()).storage.queues;
  const queue = `${prefix}-tasks-default`;
  const deadline = Date.now() + 15_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error("the workflow did not finish");
    for (const m of await queues.receive(queue, 32, 30)) {
      const t = TaskMessageSchema.parse(JSON.parse(m.text));
      const base = { workflow_id: t.workflow_id, task: t.task, attempt: t.attempt };
      const end = t.command.includes("fail")
        ? { kind: "failed", ...base, error: "exit code 3: boom" }
        : { kind: "completed", ...base, output: { from: t.task } };
      const report = { v: 1, completions: [{ kind: "started", ...base }, end] };
      await queues.send(t.completion_queue, JSON.stringify(report));
      await queues.delete(queue, m);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
