/** Times as the client commands print them: short durations and UTC timestamps. */

/** `0.4s`, `42s`, `3m 05s`, `2h 03m`, `3d 04h`: two units at most, enough to read at a glance. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.floor(s)}s`;
  const two = (n: number) => String(Math.floor(n)).padStart(2, "0");
  if (s < 3600) return `${Math.floor(s / 60)}m ${two(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${two((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${two((s % 86_400) / 3600)}h`;
}

/** `2025-06-01 12:00:00 UTC`: UTC, so the output does not depend on where it is read. */
export function formatTimestamp(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
