import type { TaskCounts } from "../../client/index.js";
import { finishedCount } from "./countsText.js";
import type { Paint } from "./paint.js";
import { segmentBar } from "./segmentBar.js";

const BAR_WIDTH = 20;
/** More layers than this are windowed around the first unfinished one. */
const MAX_ROWS = 12;

interface Row {
  readonly label: string;
  readonly counts: TaskCounts;
}

/**
 * Counts per layer (distance from a root) as small bars: where a large DAG's work is. A DAG
 * deeper than MAX_ROWS shows a window starting just before its first unfinished layer, with
 * the layers before and after it summed into one row each.
 */
export function layerView(
  layers: readonly TaskCounts[],
  paint: Paint,
  maxRows = MAX_ROWS,
): string[] {
  return rowsOf(layers, maxRows).map((row, _k, rows) => {
    const labelWidth = Math.max(...rows.map((r) => r.label.length));
    const totals = rows.map((r) => total(r.counts));
    const digits = String(Math.max(...totals)).length;
    const c = row.counts;
    const done = `${String(finishedCount(c)).padStart(digits)}/${String(total(c)).padEnd(digits)}`;
    const notes = [
      c.running && paint("cyan", `${c.running} running`),
      c.failed && paint("red", `${c.failed} failed`),
      c.upstream_failed && paint("red", `${c.upstream_failed} upstream_failed`),
      c.skipped && paint("yellow", `${c.skipped} skipped`),
      c.cancelled && paint("yellow", `${c.cancelled} cancelled`),
    ].filter((n): n is string => typeof n === "string");
    const line = `${row.label.padEnd(labelWidth)}  ${segmentBar(c, BAR_WIDTH, paint)}  ${done}  ${notes.join(", ")}`;
    return line.trimEnd();
  });
}

function rowsOf(layers: readonly TaskCounts[], maxRows: number): Row[] {
  const one = (k: number): Row => ({ label: `L${k}`, counts: layers[k]! });
  if (layers.length <= maxRows) return layers.map((_, k) => one(k));
  const firstOpen = layers.findIndex((c) => finishedCount(c) < total(c));
  // Keep one finished layer above the open ones for context; two rows go to the summed ones.
  const from = Math.max(
    0,
    Math.min((firstOpen === -1 ? layers.length : firstOpen) - 1, layers.length - (maxRows - 1)),
  );
  const to = Math.min(layers.length, from + maxRows - (from > 0 ? 2 : 1));
  const rows: Row[] = [];
  if (from > 0) rows.push(summed(layers, 0, from));
  for (let k = from; k < to; k++) rows.push(one(k));
  if (to < layers.length) rows.push(summed(layers, to, layers.length));
  return rows;
}

function summed(layers: readonly TaskCounts[], from: number, to: number): Row {
  const counts = { ...layers[from]! };
  for (let k = from + 1; k < to; k++) {
    for (const s of Object.keys(counts) as (keyof TaskCounts)[]) counts[s] += layers[k]![s];
  }
  return { label: to - from === 1 ? `L${from}` : `L${from}-L${to - 1}`, counts };
}

function total(c: TaskCounts): number {
  return Object.values(c).reduce((a, b) => a + b, 0);
}
