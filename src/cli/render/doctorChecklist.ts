import type { DoctorReport, Verdict } from "../../client/index.js";
import { assertNever } from "../../core/index.js";
import { isPoisonQueue } from "../../storage/layout.js";
import type { Paint, Style } from "./paint.js";
import { safeText } from "./safeText.js";

const MARK: Record<Verdict, { text: string; style: Style }> = {
  ok: { text: "[ok]  ", style: "green" },
  warn: { text: "[warn]", style: "yellow" },
  fail: { text: "[FAIL]", style: "red" },
};
const MAX_LISTED = 10;

/**
 * `dagq doctor`: each check with its mark, what it found (stuck workflows and stale tasks by
 * id), the queue depths, and a last line with the verdict and what it means for the user.
 */
export function doctorChecklist(report: DoctorReport, url: string, paint: Paint): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines = [`dagq doctor: ${url}`];
  for (const c of report.checks) {
    const mark = MARK[c.verdict];
    lines.push(`  ${paint(mark.style, mark.text)} ${c.name.padEnd(width)}  ${safeText(c.detail)}`);
    if (c.name === "stuck workflows") {
      lines.push(...listed(report.stuck.map((s) => `${s.id}: ${s.why}`)));
    }
    if (c.name === "stale running tasks") {
      lines.push(
        ...listed(
          report.staleTasks.map((t) => `${t.id} ${t.task}: running for ${t.runningForS} s`),
        ),
      );
    }
  }
  if (report.queues.length > 0) {
    const qWidth = Math.max(...report.queues.map((q) => q.name.length));
    const dWidth = Math.max(...report.queues.map((q) => String(q.depth).length));
    lines.push("queues");
    for (const q of report.queues) {
      const line = `  ${q.name.padEnd(qWidth)}  ${String(q.depth).padStart(dWidth)}`;
      lines.push(isPoisonQueue(q.name) && q.depth > 0 ? paint("yellow", line) : line);
    }
  }
  lines.push(verdictLine(report, paint));
  return `${lines.join("\n")}\n`;
}

function listed(items: readonly string[]): string[] {
  const shown = items.slice(0, MAX_LISTED).map((i) => `           ${i}`);
  if (items.length > MAX_LISTED) shown.push(`           … and ${items.length - MAX_LISTED} more`);
  return shown;
}

function verdictLine(report: DoctorReport, paint: Paint): string {
  const names = (v: Verdict) =>
    report.checks
      .filter((c) => c.verdict === v)
      .map((c) => c.name)
      .join(", ");
  switch (report.verdict) {
    case "ok":
      return `verdict: ${paint("green", "ok")}: every check passed`;
    case "warn":
      return `verdict: ${paint("yellow", "warn")}: dagq works; look at ${names("warn")}`;
    case "fail":
      return `verdict: ${paint("red", "FAIL")}: ${names("fail")} failed; dagq cannot work until that is fixed`;
    default:
      return assertNever(report.verdict, "verdict");
  }
}
