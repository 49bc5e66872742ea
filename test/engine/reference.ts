import {
  applyEvents,
  type CompiledWorkflow,
  completedInputs,
  createRun,
  type Event,
  taskView,
} from "../../src/core/index.js";
import type { Behaviour } from "./fakeWorld.js";

/** The final task states the reducer alone reaches for a behaviour: what every path must match. */
export function runLocalReference(
  def: CompiledWorkflow,
  behaviour: Behaviour,
): Record<string, [string, number, unknown]> {
  const { run, transition } = createRun(def, "ref", 1);
  let queue = transition.commands;
  while (queue.length > 0) {
    const events: Event[] = [];
    for (const c of queue) {
      if (c.kind !== "dispatch") continue;
      const spec = def.tasks[c.task]!;
      const r = behaviour({
        v: 1,
        workflow_id: "ref",
        task: spec.name,
        attempt: c.attempt,
        command: spec.command,
        env: spec.env,
        timeout_s: spec.timeoutS,
        inputs: Object.fromEntries(completedInputs(run, c.task)) as never,
        completion_queue: "",
        signals_blob: "",
      });
      events.push(
        r.ok
          ? { kind: "completed", task: c.task, attempt: c.attempt, output: r.output as never }
          : { kind: "failed", task: c.task, attempt: c.attempt, error: r.error ?? "failed" },
      );
    }
    queue = applyEvents(run, events, 2).commands;
  }
  return Object.fromEntries(
    def.tasks.map((_, i) => {
      const v = taskView(run, i);
      return [v.name, [v.status, v.attempts, v.output]];
    }),
  );
}
