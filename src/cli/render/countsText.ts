import type { TaskCounts } from "../../client/index.js";
import type { Paint } from "./paint.js";

/**
 * Counts by state in the words run-local's progress uses: `ready` counts as pending, and the
 * rarer states appear only when non-zero, to keep the line short. `compact` (a narrow
 * terminal) also leaves out zero running, pending and skipped counts and shortens the words;
 * completed and failed are always there.
 */
export function countsText(
  c: TaskCounts,
  paint: Paint,
  conditionErrors = 0,
  opts: { readonly compact?: boolean } = {},
): string {
  return countsParts(c, paint, conditionErrors, opts).join(", ");
}

/** The same counts as separate parts, for a caller that wraps them over lines. */
export function countsParts(
  c: TaskCounts,
  paint: Paint,
  conditionErrors = 0,
  opts: { readonly compact?: boolean } = {},
): string[] {
  const compact = opts.compact === true;
  // A condition that could not be evaluated is usually a typo: it must not pass for "not needed".
  const errors =
    conditionErrors > 0
      ? compact
        ? ` (${conditionErrors} cond. err.)`
        : ` (${conditionErrors} by condition errors)`
      : "";
  const parts = [
    paint("green", `${c.completed} ${compact ? "done" : "completed"}`),
    paint(c.failed > 0 ? "red" : "gray", `${c.failed} failed`),
  ];
  const optional = (n: number, text: string) => (!compact || n > 0 ? text : null);
  const more = [
    optional(c.running, paint("cyan", `${c.running} running`)),
    optional(c.pending + c.ready, `${c.pending + c.ready} pending`),
    optional(
      c.skipped,
      paint(conditionErrors > 0 ? "red" : "yellow", `${c.skipped} skipped${errors}`),
    ),
  ];
  for (const p of more) if (p !== null) parts.push(p);
  if (c.upstream_failed > 0)
    parts.push(paint("red", `${c.upstream_failed} ${compact ? "upstream" : "upstream_failed"}`));
  if (c.cancelled > 0) parts.push(paint("yellow", `${c.cancelled} cancelled`));
  return parts;
}

/** Tasks that reached a terminal state. */
export function finishedCount(c: TaskCounts): number {
  return c.completed + c.failed + c.skipped + c.upstream_failed + c.cancelled;
}
