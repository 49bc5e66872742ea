import type { TaskView } from "../../client/index.js";
import type { Paint } from "./paint.js";
import { firstLine, safeText } from "./safeText.js";
import { stateStyle } from "./stateStyle.js";
import { renderTable } from "./table.js";
import { formatDuration } from "./timeFormat.js";

const MAX_OUTPUT = 60;

/**
 * `dagq tasks`: one row per task. The last column is the reason when there is one (why it
 * failed or was skipped), its whole first line, where commands say what went wrong; else the
 * output, cut short (the whole of it is in `dagq output` and `--json`). With `full`, a
 * reason's further lines follow its row, indented, and outputs are not cut.
 */
export function taskTable(
  tasks: readonly TaskView[],
  now: number,
  paint: Paint,
  opts: { readonly full?: boolean } = {},
): string {
  const full = opts.full === true;
  const rows = tasks.map((t) => [
    safeText(t.name),
    t.status,
    String(t.attempts),
    t.startedAt === null ? "-" : formatDuration((t.finishedAt ?? now) - t.startedAt),
    detail(t, full),
  ]);
  const table = renderTable(
    [
      { header: "NAME" },
      { header: "STATUS", style: stateStyle },
      { header: "ATTEMPTS", align: "right" },
      { header: "TIME", align: "right" },
      { header: "REASON / OUTPUT" },
    ],
    rows,
    paint,
  );
  if (!full) return table;
  const lines = table.split("\n");
  const out = [lines[0]!];
  tasks.forEach((t, k) => {
    out.push(lines[k + 1]!);
    for (const more of restOf(t.reason)) out.push(`    ${more}`);
  });
  return `${out.join("\n")}\n`;
}

function detail(t: TaskView, full: boolean): string {
  if (t.reason !== null)
    return full ? safeText(t.reason.trim().split(/\r?\n/)[0] ?? "") : firstLine(t.reason);
  if (t.output === null) return "";
  // JSON escapes C0 controls but not DEL and C1 ones, which a terminal still obeys.
  const text = safeText(JSON.stringify(t.output));
  return full || text.length <= MAX_OUTPUT ? text : `${text.slice(0, MAX_OUTPUT - 1)}…`;
}

/** A reason's lines after the first, made safe: what `--full` adds. */
export function restOf(reason: string | null): string[] {
  if (reason === null) return [];
  return reason
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => safeText(l));
}
