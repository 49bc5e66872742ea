import { stripVTControlCharacters } from "node:util";
import type { TaskCounts, WorkflowStatus } from "../../client/index.js";
import { countsParts, countsText, finishedCount } from "./countsText.js";
import type { Paint } from "./paint.js";
import type { Rate } from "./rateMeter.js";
import { safeText } from "./safeText.js";
import { segmentBar } from "./segmentBar.js";
import { formatDuration } from "./timeFormat.js";

const BAR_WIDTH = 30;
const NARROW_BAR = 12;
const MAX_NAME = 32;

/** What a progress line shows: a workflow's status as the API or the local runner has it. */
export type ProgressStatus = Pick<
  WorkflowStatus,
  "name" | "status" | "total" | "conditionErrors"
> & { readonly counts: TaskCounts };

/**
 * One line of a workflow's progress, the same for `watch`, `run-local` and `dev`: a segmented
 * bar on a terminal, plain words for logs. On a terminal of `columns` columns it fits in one
 * column less (writing the last column makes some terminals wrap or overwrite it), dropping the
 * less important parts first: the bar narrows, then the rate, the ETA and the percentage go,
 * then the bar, then the name shortens, then the counts get terse. The counts themselves are
 * never cut: when even the terse ones do not fit, they go on lines of their own below (the
 * result then holds several lines).
 */
export function progressLine(
  s: ProgressStatus,
  rate: Rate,
  opts: { readonly tty: boolean; readonly paint: Paint; readonly columns?: number },
): string {
  const { paint } = opts;
  const finished = finishedCount(s.counts);
  const pct = s.total === 0 ? 100 : Math.floor((finished / s.total) * 100);
  const perSecond = rate.perSecond === null ? "-" : rate.perSecond.toFixed(1);
  const eta = rate.etaMs === null ? "-" : rate.etaMs === 0 ? "0s" : formatDuration(rate.etaMs);
  const safeName = safeText(s.name);
  const waiting = s.status === "pending" ? " | waiting for admission" : "";
  const counts = (compact: boolean) =>
    countsText(s.counts, paint, s.conditionErrors, { compact }) + waiting;
  const named = (max: number) =>
    safeName.length > max ? `${safeName.slice(0, Math.max(1, max - 1))}…` : safeName;
  if (!opts.tty)
    return `${named(MAX_NAME)}: ${finished}/${s.total} done (${pct}%) | ${perSecond}/s | ETA ${eta} | ${counts(false)}`;

  interface Shape {
    readonly bar: number;
    readonly rate: boolean;
    readonly eta: boolean;
    readonly pct: boolean;
    readonly name: number;
    readonly compact: boolean;
  }
  const draw = (k: Shape) =>
    [
      k.name > 0 ? paint("bold", named(k.name)) : null,
      k.bar > 0 ? segmentBar(s.counts, k.bar, paint) : null,
      k.pct ? `${pct}% |` : null,
      `${finished}/${s.total} |`,
      k.rate ? `${perSecond}/s |` : null,
      k.eta ? `ETA ${eta} |` : null,
      counts(k.compact),
    ]
      .filter((p) => p !== null)
      .join(" ");
  const full: Shape = {
    bar: BAR_WIDTH,
    rate: true,
    eta: true,
    pct: true,
    name: MAX_NAME,
    compact: false,
  };
  const shapes: Shape[] = [
    full,
    { ...full, bar: NARROW_BAR },
    { ...full, bar: NARROW_BAR, rate: false },
    { ...full, bar: NARROW_BAR, rate: false, eta: false },
    { ...full, bar: NARROW_BAR, rate: false, eta: false, pct: false },
    { ...full, bar: 0, rate: false, eta: false, pct: false },
    { ...full, bar: 0, rate: false, eta: false, pct: false, name: 12 },
    { ...full, bar: 0, rate: false, eta: false, pct: false, name: 12, compact: true },
    { ...full, bar: 0, rate: false, eta: false, pct: false, name: 0, compact: true },
  ];
  const room = opts.columns === undefined ? Number.POSITIVE_INFINITY : opts.columns - 1;
  for (const shape of shapes) {
    const line = draw(shape);
    if (visibleWidth(line) <= room) return line;
  }
  // A very narrow terminal or very many states: the head on one line, the counts wrapped below.
  const head = [
    paint("bold", named(Math.max(1, Math.min(MAX_NAME, room - 20)))),
    `${finished}/${s.total}`,
  ].join(" ");
  const lines = [head];
  let line = "";
  for (const part of countsParts(s.counts, paint, s.conditionErrors, { compact: true })) {
    const next = line === "" ? `  ${part}` : `${line}, ${part}`;
    if (line !== "" && visibleWidth(next) > room) {
      lines.push(`${line},`);
      line = `  ${part}`;
    } else line = next;
  }
  lines.push(line + waiting);
  return lines.join("\n");
}

/** Columns a line takes on screen: its characters without the colour codes. */
export function visibleWidth(line: string): number {
  return [...stripVTControlCharacters(line)].length;
}
