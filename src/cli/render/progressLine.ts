import type { WorkflowStatus } from "../../client/index.js";
import { countsText, finishedCount } from "./countsText.js";
import type { Paint } from "./paint.js";
import type { Rate } from "./rateMeter.js";
import { segmentBar } from "./segmentBar.js";
import { formatDuration } from "./timeFormat.js";

const BAR_WIDTH = 30;
const MAX_NAME = 32;

/**
 * One line of a watched workflow's progress, in the shape run-local's progress has, so both
 * read alike: a segmented bar on a terminal, plain words for logs.
 */
export function progressLine(
  s: WorkflowStatus,
  rate: Rate,
  opts: { readonly tty: boolean; readonly paint: Paint },
): string {
  const { paint } = opts;
  const finished = finishedCount(s.counts);
  const pct = s.total === 0 ? 100 : Math.floor((finished / s.total) * 100);
  const perSecond = rate.perSecond === null ? "-" : rate.perSecond.toFixed(1);
  const eta = rate.etaMs === null ? "-" : rate.etaMs === 0 ? "0s" : formatDuration(rate.etaMs);
  const name = s.name.length > MAX_NAME ? `${s.name.slice(0, MAX_NAME - 1)}…` : s.name;
  const waiting = s.status === "pending" ? " | waiting for admission" : "";
  const tail = `${perSecond}/s | ETA ${eta} | ${countsText(s.counts, paint, s.conditionErrors)}${waiting}`;
  if (!opts.tty) return `${name}: ${finished}/${s.total} done (${pct}%) | ${tail}`;
  const bar = segmentBar(s.counts, BAR_WIDTH, paint);
  return `${paint("bold", name)} ${bar} ${pct}% | ${finished}/${s.total} | ${tail}`;
}
