import type { TaskState, WorkflowState } from "./types.js";

export const TASK_STATE_ORDER: readonly TaskState[] = [
  "completed",
  "failed",
  "upstream_failed",
  "running",
  "ready",
  "pending",
  "skipped",
  "cancelled",
];

export const WORKFLOW_STATE_ORDER: readonly WorkflowState[] = [
  "running",
  "pending",
  "completed",
  "failed",
  "cancelled",
];

export function duration(ms: number | null): string {
  if (ms === null || ms < 0) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.round(s % 60)}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${m % 60}m`;
}

export function time(ms: number | null): string {
  if (!ms) return "";
  const d = new Date(ms);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

export function count(n: number): string {
  return n.toLocaleString("en-US");
}

export function firstLine(text: string | null): string {
  if (!text) return "";
  const line = text.split("\n").find((l) => l.trim() !== "") ?? "";
  return line.length > 160 ? `${line.slice(0, 160)}…` : line;
}
