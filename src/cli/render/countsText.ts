import type { TaskCounts } from "../../client/index.js";
import type { Paint } from "./paint.js";

/**
 * Counts by state in the words run-local's progress uses: `ready` counts as pending, and the
 * rarer states appear only when non-zero, to keep the line short.
 */
export function countsText(c: TaskCounts, paint: Paint, conditionErrors = 0): string {
  // A condition that could not be evaluated is usually a typo: it must not pass for "not needed".
  const errors = conditionErrors > 0 ? ` (${conditionErrors} by condition errors)` : "";
  const parts = [
    paint("green", `${c.completed} completed`),
    paint(c.failed > 0 ? "red" : "gray", `${c.failed} failed`),
    paint("cyan", `${c.running} running`),
    `${c.pending + c.ready} pending`,
    paint(conditionErrors > 0 ? "red" : "yellow", `${c.skipped} skipped${errors}`),
  ];
  if (c.upstream_failed > 0) parts.push(paint("red", `${c.upstream_failed} upstream_failed`));
  if (c.cancelled > 0) parts.push(paint("yellow", `${c.cancelled} cancelled`));
  return parts.join(", ");
}

/** Tasks that reached a terminal state. */
export function finishedCount(c: TaskCounts): number {
  return c.completed + c.failed + c.skipped + c.upstream_failed + c.cancelled;
}
