import type { LocalResult } from "../../local/runner.js";
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
  const tally = [...byStatus].map(([status, n]) => `${n} ${status}`).join(", ");
  const lines = [
    `${paint("bold", name)}: ${paint(STATUS_STYLE[result.status], result.status)} in ${(elapsedMs / 1000).toFixed(1)}s (id ${result.id})`,
    `  ${entries.length} tasks: ${tally}`,
  ];
  const notDone = entries.filter(([, t]) => t.status !== "completed");
  for (const [task, t] of notDone.slice(0, MAX_LISTED)) {
    const style = t.status === "skipped" || t.status === "cancelled" ? "yellow" : "red";
    const tries = t.attempts > 1 ? ` after ${t.attempts} attempts` : "";
    lines.push(`  ${paint(style, t.status)} ${task}${tries}: ${oneLine(t.reason ?? "")}`);
  }
  if (notDone.length > MAX_LISTED) lines.push(`  … and ${notDone.length - MAX_LISTED} more`);
  return `${lines.join("\n")}\n`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " | ");
}
