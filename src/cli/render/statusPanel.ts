import type { WorkflowStatus } from "../../client/index.js";
import { countsText } from "./countsText.js";
import type { Paint } from "./paint.js";
import { stateStyle } from "./stateStyle.js";
import { formatDuration, formatTimestamp } from "./timeFormat.js";

/** `dagq status`: one workflow as labelled lines; `now` only ages a workflow still going. */
export function statusPanel(s: WorkflowStatus, now: number, paint: Paint): string {
  const rows: Array<[string, string]> = [
    ["workflow", paint("bold", s.name)],
    ["id", s.id],
    ["status", statusText(s, now, paint)],
    ["tasks", `${s.total}: ${countsText(s.counts, paint, s.conditionErrors)}`],
    ["created", formatTimestamp(s.createdAt)],
    ["started", s.startedAt === null ? "-" : formatTimestamp(s.startedAt)],
    ["finished", s.finishedAt === null ? "-" : formatTimestamp(s.finishedAt)],
  ];
  if (s.reason !== null) rows.push(["reason", s.reason.replace(/\s*\n\s*/g, " | ")]);
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
