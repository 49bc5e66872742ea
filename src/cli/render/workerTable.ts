import type { WorkerView } from "../../client/index.js";
import type { Paint, Style } from "./paint.js";
import { safeText } from "./safeText.js";
import { renderTable } from "./table.js";
import { formatDuration } from "./timeFormat.js";

/**
 * `dagq workers`: per queue, the workers that serve it, live first; a worker on several
 * queues appears under each. Lost workers (no heartbeat for 3 intervals) and stopped ones
 * stay listed for an hour, so a queue whose workers died says so.
 */
export function workerTable(workers: readonly WorkerView[], now: number, paint: Paint): string {
  const queues = [...new Set(workers.flatMap((w) => w.queues))].sort();
  const rows: string[][] = [];
  for (const queue of queues) {
    const on = workers
      .filter((w) => w.queues.includes(queue))
      .sort((a, b) => Number(b.live) - Number(a.live) || b.lastSeen - a.lastSeen);
    for (const w of on) {
      rows.push([
        safeText(queue),
        safeText(w.id),
        w.live ? "live" : w.stoppedAt > 0 ? "stopped" : "lost",
        `${w.running}/${w.concurrency * w.queues.length}`,
        `${formatDuration(now - w.lastSeen)} ago`,
        formatDuration((w.stoppedAt || now) - w.startedAt),
        safeText(w.version),
      ]);
    }
  }
  const style = (c: string): Style => (c === "live" ? "green" : c === "lost" ? "red" : "yellow");
  return renderTable(
    [
      { header: "QUEUE" },
      { header: "WORKER" },
      { header: "STATE", style },
      { header: "RUNNING", align: "right" },
      { header: "LAST SEEN" },
      { header: "UP", align: "right" },
      { header: "VERSION" },
    ],
    rows,
    paint,
  );
}
