import type { WorkflowStatus } from "../../client/index.js";
import { finishedCount } from "./countsText.js";
import type { Paint } from "./paint.js";
import { safeText } from "./safeText.js";
import { stateStyle } from "./stateStyle.js";
import { renderTable } from "./table.js";
import { formatDuration } from "./timeFormat.js";

/** `dagq list`: one row per workflow, newest first as the API returns them. */
export function workflowTable(
  workflows: readonly WorkflowStatus[],
  now: number,
  paint: Paint,
): string {
  const rows = workflows.map((w) => [
    safeText(w.id),
    safeText(w.name),
    w.status,
    `${finishedCount(w.counts)}/${w.total}`,
    String(w.counts.failed + w.counts.upstream_failed),
    `${formatDuration(now - w.createdAt)} ago`,
  ]);
  return renderTable(
    [
      { header: "ID" },
      { header: "NAME" },
      { header: "STATUS", style: stateStyle },
      { header: "DONE", align: "right" },
      { header: "FAILED", align: "right", style: (c) => (c === "0" ? undefined : "red") },
      { header: "CREATED" },
    ],
    rows,
    paint,
  );
}
