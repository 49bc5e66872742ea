import type { Summary } from "../../core/index.js";
import { finishedCount } from "./countsText.js";
import type { Paint } from "./paint.js";
import { RateMeter } from "./rateMeter.js";
import { createWatchDisplay } from "./watchDisplay.js";

/** Live progress of one workflow on stderr, so stdout stays free for `--json`. */
export interface Progress {
  /** Starts the clock (rate, ETA): when the workflow was submitted, not when dagq started. */
  start(at: number): void;
  update(summary: Summary): void;
  /** A message between progress lines (e.g. "cancelling"), without tearing the bar. */
  note(message: string): void;
  stop(): void;
}

/**
 * `run-local` and `dev`: the same display as `dagq watch` (segments for completed, skipped,
 * failed, running and pending, fitted to the terminal's width), redrawn on a terminal, a plain
 * line every 2 s elsewhere. Nothing is drawn before `start`, so the time `dev` spends starting
 * Azurite and the host shows neither in the rate nor in the ETA.
 */
export function createProgress(
  stream: NodeJS.WriteStream,
  name: string,
  total: number,
  paint: Paint,
): Progress {
  const display = createWatchDisplay(stream, paint);
  const meter = new RateMeter();
  let startedAt: number | null = null;
  let last: Summary | undefined;
  let stopped = false;
  const draw = (s: Summary | undefined, now: number) => {
    if (startedAt === null || stopped) return;
    const status = s ?? {
      name,
      status: "running" as const,
      total,
      conditionErrors: 0,
      counts: {
        pending: total,
        ready: 0,
        running: 0,
        completed: 0,
        failed: 0,
        skipped: 0,
        upstream_failed: 0,
        cancelled: 0,
      },
    };
    display.update(
      status,
      meter.sample(finishedCount(status.counts), status.total, now),
      false,
      now,
    );
  };
  return {
    start(at) {
      if (startedAt !== null) return;
      startedAt = at;
      meter.sample(0, total, at);
      draw(last, Date.now());
    },
    update(s) {
      last = s;
      draw(s, Date.now());
    },
    note(message) {
      display.note(message);
    },
    stop() {
      draw(last, Date.now());
      stopped = true;
      display.stop();
    },
  };
}
