import cliProgress from "cli-progress";
import type { Summary } from "../core/index.js";
import type { Paint } from "./paint.js";

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
    ? `${paint("bold", "{name}")} ${paint("cyan", "{bar}")} {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted} | {counts}`
    : "{name}: {value}/{total} done ({percentage}%) | {rate}/s | ETA {eta_formatted} | {counts}";
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
      etaBuffer: 50,
      etaAsynchronousUpdate: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const startedAt = Date.now();
  let last: Summary | undefined;
  const payload = (s: Summary | undefined) => {
    const done = s ? s.total - s.counts.pending - s.counts.ready - s.counts.running : 0;
    const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001);
    return {
      name,
      rate: (done / seconds).toFixed(1),
      counts: s ? counts(s, paint) : `${total} pending`,
    };
  };
  bar.start(total, 0, payload(undefined));
  return {
    update(s) {
      last = s;
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

/** The per-state counts; zero counts of the rarer states are left out to keep the line short. */
export function counts(s: Summary, paint: Paint): string {
  const c = s.counts;
  const parts = [
    paint("green", `${c.completed} completed`),
    paint(c.failed > 0 ? "red" : "gray", `${c.failed} failed`),
    paint("cyan", `${c.running} running`),
    `${c.pending + c.ready} pending`,
    paint("yellow", `${c.skipped} skipped`),
  ];
  if (c.upstream_failed > 0) parts.push(paint("red", `${c.upstream_failed} upstream_failed`));
  if (c.cancelled > 0) parts.push(paint("yellow", `${c.cancelled} cancelled`));
  return parts.join(", ");
}
