import { CONDITION_ERROR_PREFIX } from "../../core/index.js";
import type { LocalResult, LocalTaskResult } from "../../local/runner.js";
import type { Paint } from "./paint.js";

const MAX_LISTED = 20;
const STATUS_STYLE = { completed: "green", failed: "red", cancelled: "yellow" } as const;

/**
 * The human ending of a run: the outcome, counts by state, and the tasks that did not complete
 * with their reasons (at most 20, the rest counted), in definition order.
 */
export function summaryReport(
  name: string,
  result: LocalResult,
  elapsedMs: number,
  paint: Paint,
): string {
  const entries = Object.entries(result.tasks);
  const byStatus = new Map<string, number>();
  for (const [, t] of entries) byStatus.set(t.status, (byStatus.get(t.status) ?? 0) + 1);
  const errors = entries.filter(([, t]) => isConditionError(t)).length;
  const tally = [...byStatus]
    .map(([status, n]) =>
      status === "skipped" && errors > 0
        ? `${n} skipped (${errors} by condition errors)`
        : `${n} ${status}`,
    )
    .join(", ");
  const lines = [
    `${paint("bold", name)}: ${paint(STATUS_STYLE[result.status], result.status)} in ${(elapsedMs / 1000).toFixed(1)}s (id ${result.id})`,
    `  ${entries.length} tasks: ${tally}`,
  ];
  // Condition errors first: a typo in a field name reads like "not needed" otherwise.
  const notDone = entries
    .filter(([, t]) => t.status !== "completed")
    .sort(([, a], [, b]) => Number(isConditionError(b)) - Number(isConditionError(a)));
  for (const [task, t] of notDone.slice(0, MAX_LISTED)) {
    const error = isConditionError(t);
    const style = (t.status === "skipped" && !error) || t.status === "cancelled" ? "yellow" : "red";
    const label = error ? `${t.status} (condition error)` : t.status;
    const tries = t.attempts > 1 ? ` after ${t.attempts} attempts` : "";
    lines.push(`  ${paint(style, label)} ${task}${tries}: ${oneLine(t.reason ?? "")}`);
  }
  if (notDone.length > MAX_LISTED) lines.push(`  … and ${notDone.length - MAX_LISTED} more`);
  return `${lines.join("\n")}\n`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " | ");
}

function isConditionError(t: LocalTaskResult): boolean {
  return t.status === "skipped" && (t.reason ?? "").startsWith(CONDITION_ERROR_PREFIX);
}
