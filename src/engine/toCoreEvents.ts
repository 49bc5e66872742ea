import type { CompiledWorkflow, Event, Json } from "../core/index.js";
import type { InboxEvent } from "./inbox.js";

/** Maps wire events (task names) to reducer events (task indices); unknown tasks are reported and dropped. */
export function toCoreEvents(
  def: CompiledWorkflow,
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
    const task = def.index.get(e.task);
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
