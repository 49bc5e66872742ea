import type { WorkflowStatus } from "../../client/index.js";
import { countsText } from "./countsText.js";
import type { Paint } from "./paint.js";
import { firstLine, safeText } from "./safeText.js";
import { stateStyle } from "./stateStyle.js";
import { restOf } from "./taskTable.js";
import { formatDuration, formatTimestamp } from "./timeFormat.js";

/** `dagq status`: one workflow as labelled lines; `now` only ages a workflow still going. */
export function statusPanel(
  s: WorkflowStatus,
  now: number,
  paint: Paint,
  opts: { readonly full?: boolean } = {},
): string {
  const rows: Array<[string, string]> = [
    ["workflow", paint("bold", safeText(s.name))],
    ["id", s.id],
    ["status", statusText(s, now, paint)],
    ["tasks", `${s.total}: ${countsText(s.counts, paint, s.conditionErrors)}`],
    ["created", formatTimestamp(s.createdAt)],
    ["started", s.startedAt === null ? "-" : formatTimestamp(s.startedAt)],
    ["finished", s.finishedAt === null ? "-" : formatTimestamp(s.finishedAt)],
  ];
  if (s.reason !== null) {
    // The whole first line (where the error usually is); `--full` adds the rest.
    if (!opts.full) rows.push(["reason", firstLine(s.reason)]);
    else {
      rows.push(["reason", safeText(s.reason.trim().split(/\r?\n/)[0] ?? "")]);
      for (const more of restOf(s.reason)) rows.push(["", more]);
    }
  }
  return rows.map(([k, v]) => `${k.padEnd(10)}${v}\n`).join("");
}

function statusText(s: WorkflowStatus, now: number, paint: Paint): string {
  const style = stateStyle(s.status);
  const state = style ? paint(style, s.status) : s.status;
  const since = s.startedAt ?? s.createdAt;
  switch (s.status) {
    case "pending":
      return `${state} (waiting for admission) for ${formatDuration(now - s.createdAt)}`;
    case "running":
      return `${state} for ${formatDuration(now - since)}`;
    default:
      return s.finishedAt === null
        ? state
        : `${state} after ${formatDuration(s.finishedAt - since)}`;
  }
}
