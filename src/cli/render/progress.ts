import cliProgress from "cli-progress";
import type { Summary } from "../../core/index.js";
import { countsText } from "./countsText.js";
import type { Paint } from "./paint.js";
import { formatDuration } from "./timeFormat.js";

/** Live progress of one workflow on stderr, so stdout stays free for `--json`. */
export interface Progress {
  update(summary: Summary): void;
  /** A message between progress lines (e.g. "cancelling"), without tearing the bar. */
  note(message: string): void;
  stop(): void;
}

/** Plain lines at most this often when stderr is a pipe or a file: CI logs stay readable. */
const PLAIN_EVERY_MS = 2000;

/**
 * A redrawn bar on a terminal; elsewhere a plain line every 2 s (cli-progress's no-TTY mode).
 * Completions per second are computed here because cli-progress only knows the ETA.
 */
export function createProgress(
  stream: NodeJS.WriteStream,
  name: string,
  total: number,
  paint: Paint,
): Progress {
  const tty = stream.isTTY === true;
  const format = tty
    ? `${paint("bold", "{name}")} ${paint("cyan", "{bar}")} {percentage}% | {value}/{total} | {rate}/s | ETA {etaText} | {counts}`
    : "{name}: {value}/{total} done ({percentage}%) | {rate}/s | ETA {etaText} | {counts}";
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format,
      barsize: 30,
      hideCursor: tty,
      noTTYOutput: true,
      notTTYSchedule: PLAIN_EVERY_MS,
      // On a pipe, stop() would add an empty line after the last progress line.
      clearOnComplete: !tty,
    },
    cliProgress.Presets.shades_classic,
  );
  const startedAt = Date.now();
  let last: Summary | undefined;
  const payload = (s: Summary | undefined) => {
    const done = s ? s.total - s.counts.pending - s.counts.ready - s.counts.running : 0;
    const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001);
    const rate = done / seconds;
    // Our own ETA from the overall rate: cli-progress's shows garbage before the first completion.
    const left = (s?.total ?? total) - done;
    const eta = left === 0 ? "0s" : rate > 0 ? formatDuration((left / rate) * 1000) : "-";
    return {
      name,
      rate: rate.toFixed(1),
      etaText: eta,
      counts: s ? countsText(s.counts, paint, s.conditionErrors) : `${total} pending`,
    };
  };
  bar.start(total, 0, payload(undefined));
  return {
    update(s) {
      last = s;
      // A map that expands adds tasks to the workflow.
      if (s.total !== bar.getTotal()) bar.setTotal(s.total);
      bar.update(s.total - s.counts.pending - s.counts.ready - s.counts.running, payload(s));
    },
    note(message) {
      stream.write(`${tty ? "\n" : ""}${message}\n`);
    },
    stop() {
      if (last) bar.update(payload(last));
      bar.stop();
    },
  };
}
