import type { TaskView } from "../../client/index.js";
import type { Paint } from "./paint.js";
import { stateStyle } from "./stateStyle.js";
import { renderTable } from "./table.js";
import { formatDuration } from "./timeFormat.js";

const MAX_DETAIL = 60;

/**
 * `dagq tasks`: one row per task. The last column is the reason when there is one (why it
 * failed or was skipped), else the output, cut short: the full output is in `--json`.
 */
export function taskTable(tasks: readonly TaskView[], now: number, paint: Paint): string {
  const rows = tasks.map((t) => [
    t.name,
    t.status,
    String(t.attempts),
    t.startedAt === null ? "-" : formatDuration((t.finishedAt ?? now) - t.startedAt),
    detail(t),
  ]);
  return renderTable(
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
}

function detail(t: TaskView): string {
  const text =
    t.reason !== null
      ? t.reason.replace(/\s*\n\s*/g, " | ")
      : t.output === null
        ? ""
        : JSON.stringify(t.output);
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}
