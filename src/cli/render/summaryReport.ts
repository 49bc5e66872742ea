import { CONDITION_ERROR_PREFIX } from "../../core/index.js";
import type { LocalResult, LocalTaskResult } from "../../local/runner.js";
import type { Paint } from "./paint.js";
import { firstLine, safeText } from "./safeText.js";

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
    `${paint("bold", safeText(name))}: ${paint(STATUS_STYLE[result.status], result.status)} in ${(elapsedMs / 1000).toFixed(1)}s (id ${result.id})`,
    `  ${entries.length} tasks: ${tally}`,
  ];
  // Condition errors first: a typo in a field name reads like "not needed" otherwise.
  const notDone = entries
    .filter(([, t]) => t.status !== "completed")
    .sort(([, a], [, b]) => Number(isConditionError(b)) - Number(isConditionError(a)));
  // Tasks cancelled for one reason (a Ctrl-C cancels them all) make one line, not one each.
  const cancelled = new Map<string, string[]>();
  const listed: typeof notDone = [];
  for (const entry of notDone) {
    const [task, t] = entry;
    if (t.status !== "cancelled") listed.push(entry);
    else cancelled.set(t.reason ?? "", [...(cancelled.get(t.reason ?? "") ?? []), task]);
  }
  for (const [task, t] of listed.slice(0, MAX_LISTED)) {
    const error = isConditionError(t);
    const style = t.status === "skipped" && !error ? "yellow" : "red";
    const label = error ? `${t.status} (condition error)` : t.status;
    const tries = t.attempts > 1 ? ` after ${t.attempts} attempts` : "";
    lines.push(`  ${paint(style, label)} ${safeText(task)}${tries}: ${firstLine(t.reason ?? "")}`);
  }
  if (listed.length > MAX_LISTED) lines.push(`  … and ${listed.length - MAX_LISTED} more`);
  for (const [reason, tasks] of cancelled) {
    const names = tasks
      .slice(0, 3)
      .map((t) => safeText(t))
      .join(", ");
    const more = tasks.length > 3 ? `, … (${tasks.length} tasks)` : "";
    lines.push(`  ${paint("yellow", "cancelled")} ${names}${more}: ${firstLine(reason)}`);
  }
  return `${lines.join("\n")}\n`;
}

function isConditionError(t: LocalTaskResult): boolean {
  return t.status === "skipped" && (t.reason ?? "").startsWith(CONDITION_ERROR_PREFIX);
}
