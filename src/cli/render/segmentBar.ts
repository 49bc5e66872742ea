import type { TaskCounts } from "../../client/index.js";
import type { Paint, Style } from "./paint.js";

interface Segment {
  readonly n: number;
  readonly glyph: string;
  readonly style: Style;
}

/**
 * A bar of `width` cells split into completed, skipped, failed, running and pending segments.
 * Each segment has its own glyph as well as its colour, so the bar still reads without colour
 * (NO_COLOR); a non-empty segment gets at least one cell, so a single failure stays visible.
 */
export function segmentBar(c: TaskCounts, width: number, paint: Paint): string {
  const segments: Segment[] = [
    { n: c.completed, glyph: "█", style: "green" },
    { n: c.skipped + c.cancelled, glyph: "▓", style: "yellow" },
    { n: c.failed + c.upstream_failed, glyph: "×", style: "red" },
    { n: c.running, glyph: "▒", style: "cyan" },
    { n: c.pending + c.ready, glyph: "░", style: "gray" },
  ];
  const cells = cellsOf(
    segments.map((s) => s.n),
    width,
  );
  return segments
    .map((s, k) => (cells[k]! > 0 ? paint(s.style, s.glyph.repeat(cells[k]!)) : ""))
    .join("");
}

/** Largest-remainder allocation of `width` cells, with a floor of one per non-empty segment. */
function cellsOf(ns: readonly number[], width: number): number[] {
  const total = ns.reduce((a, b) => a + b, 0);
  if (total === 0) return ns.map((_, k) => (k === ns.length - 1 ? width : 0));
  const exact = ns.map((n) => (n * width) / total);
  const cells = exact.map((x, k) => (ns[k]! > 0 ? Math.max(1, Math.floor(x)) : 0));
  let left = width - cells.reduce((a, b) => a + b, 0);
  const byRemainder = exact
    .map((x, k) => ({ k, r: x - Math.floor(x) }))
    .filter(({ k }) => ns[k]! > 0)
    .sort((a, b) => b.r - a.r);
  for (let i = 0; left > 0 && byRemainder.length > 0; i++, left--) {
    cells[byRemainder[i % byRemainder.length]!.k]!++;
  }
  // The floors may have overfilled: take the excess from the widest segments.
  while (left < 0) {
    const widest = cells.indexOf(Math.max(...cells));
    cells[widest]!--;
    left++;
  }
  return cells;
}
