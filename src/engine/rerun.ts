import { findTask, rerunPlan } from "../core/index.js";
import type { Engine } from "./context.js";
import type { Outcome } from "./coordinator.js";
import type { RerunEvent } from "./inbox.js";
import { toCoreEvents } from "./toCoreEvents.js";

export type RerunResult =
  | { readonly kind: "gone" }
  /** Names the definition does not have: nothing was done. */
  | { readonly kind: "unknown"; readonly tasks: readonly string[] }
  /** Nothing to rerun, or not in this workflow's state: why, for the 409. */
  | { readonly kind: "refused"; readonly why: string }
  | {
      readonly kind: "accepted";
      readonly outcome: Exclude<Outcome, "gone" | "busy">;
      /** Tasks the rerun resets, as planned on the state read just before. */
      readonly tasks: number;
    };

/**
 * Reruns tasks of a workflow (core/rerun.ts has the rule). The request is planned on the state
 * as a query reads it, so an empty or impossible one is refused at once with the reason; then
 * it is applied as one event under the workflow's lease, or parked for the instance holding
 * it. The reducer plans again when it applies it: if the state moved in between (a task ended),
 * it reruns what is there to rerun then, or nothing, and says why in the log.
 */
export async function rerunWorkflow(
  engine: Engine,
  id: string,
  request: Omit<RerunEvent, "kind">,
): Promise<RerunResult> {
  const loaded = await engine.state.loadForRead(id);
  if (!loaded) return { kind: "gone" };
  const { run } = loaded;
  const unknown = (request.tasks ?? []).filter((name) => findTask(run, name) === undefined);
  if (unknown.length > 0) return { kind: "unknown", tasks: unknown };
  const event: RerunEvent = { kind: "rerun", ...request };
  const [core] = toCoreEvents(run, [event], () => {});
  const plan = rerunPlan(run, core as Extract<typeof core, { kind: "rerun" }>);
  if ("refused" in plan) return { kind: "refused", why: plan.refused };
  const outcome = await engine.coordinator.apply(id, [event]);
  if (outcome === "gone") return { kind: "gone" };
  if (outcome === "busy") throw new Error("a rerun came back busy: it has an event to apply");
  engine.telemetry.count("workflows.reruns");
  return { kind: "accepted", outcome, tasks: plan.reset.length };
}
