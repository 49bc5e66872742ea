import { type Event, findTask, type Json, type RunState } from "../core/index.js";
import type { InboxEvent, RerunEvent } from "./inbox.js";

/**
 * How long after a rerun a cancelled workflow's first dispatches wait: longer than a worker
 * trusts the "cancelled" signal it read last (SignalWatcher's freshMs, 1 s), so no worker drops
 * a new attempt on the strength of the old signal.
 */
export const REOPEN_DELAY_MS = 2000;

/**
 * Maps wire events (task names, instances of maps included) to reducer events (task indices);
 * unknown tasks are reported and dropped.
 */
export function toCoreEvents(
  run: RunState,
  events: readonly InboxEvent[],
  warn: (why: string) => void,
): Event[] {
  const out: Event[] = [];
  for (const e of events) {
    if (e.kind === "cancel" || e.kind === "admit") {
      out.push(
        e.kind === "cancel"
          ? { kind: "cancel", ...(e.reason ? { reason: e.reason } : {}) }
          : { kind: "admit" },
      );
      continue;
    }
    if (e.kind === "rerun") {
      out.push(rerunEvent(run, e, warn));
      continue;
    }
    const task = findTask(run, e.task);
    if (task === undefined) {
      warn(`report for unknown task "${e.task}" dropped`);
      continue;
    }
    const at = e.at === undefined ? {} : { at: e.at };
    if (e.kind === "started") out.push({ kind: "started", task, attempt: e.attempt, ...at });
    else if (e.kind === "completed")
      out.push({
        kind: "completed",
        task,
        attempt: e.attempt,
        ...(e.output !== undefined ? { output: e.output as Json } : {}),
        ...at,
      });
    else out.push({ kind: "failed", task, attempt: e.attempt, error: e.error, ...at });
  }
  return out;
}

function rerunEvent(run: RunState, e: RerunEvent, warn: (why: string) => void): Event {
  const tasks = e.tasks?.flatMap((name) => {
    const i = findTask(run, name);
    if (i === undefined) warn(`rerun of unknown task "${name}" left out`);
    return i === undefined ? [] : [i];
  });
  return {
    kind: "rerun",
    ...(tasks ? { tasks } : {}),
    ...(e.prefix !== undefined ? { prefix: e.prefix } : {}),
    ...(e.failed ? { failed: true } : {}),
    ...(e.downstream ? { downstream: true } : {}),
    reopenDelayMs: REOPEN_DELAY_MS,
  };
}
