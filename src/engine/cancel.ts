import type { Engine } from "./context.js";
import type { Outcome } from "./coordinator.js";

/**
 * Cancels a workflow: every unfinished task ends cancelled, and workers running its tasks see
 * the cancellation in the signals blob and kill them. Applied at once under the lease, or parked
 * in the inbox for the instance holding it. Null when the workflow does not exist.
 */
export async function cancelWorkflow(
  engine: Engine,
  id: string,
  reason = "cancelled by request",
): Promise<Exclude<Outcome, "gone"> | null> {
  const outcome = await engine.coordinator.apply(id, [{ kind: "cancel", reason }]);
  return outcome === "gone" ? null : outcome;
}
