import type { TaskCounts } from "../../client/index.js";
import { layerView } from "./layerView.js";
import { LiveArea } from "./liveArea.js";
import type { Paint } from "./paint.js";
import { type ProgressStatus, progressLine } from "./progressLine.js";
import type { Rate } from "./rateMeter.js";

/** Plain lines at most this often when stderr is not a terminal, as run-local does. */
const PLAIN_EVERY_MS = 2000;

/** A status as the display reads it, with the per-layer counts when there are some. */
export type DisplayStatus = ProgressStatus & { readonly layers?: readonly TaskCounts[] };

export interface WatchDisplay {
  /** The layer view is shown when `layers` is true and the status carries layers. */
  update(s: DisplayStatus, rate: Rate, layers: boolean, now: number): void;
  /** A message above the progress (e.g. "cancelling"), which stays when the block is redrawn. */
  note(message: string): void;
  /** The last state, always printed (on a pipe too), then the terminal given back. */
  stop(): void;
}

/** Progress on `stream` (stderr): a block redrawn in place on a terminal, else plain lines. */
export function createWatchDisplay(stream: NodeJS.WriteStream, paint: Paint): WatchDisplay {
  const tty = stream.isTTY === true;
  const area = tty ? new LiveArea(stream) : null;
  let lastPlainAt = Number.NEGATIVE_INFINITY;
  let pending: string[] | null = null;
  const linesOf = (s: DisplayStatus, rate: Rate, layers: boolean) => {
    const columns = tty ? stream.columns : undefined;
    const lines = progressLine(s, rate, { tty, paint, ...(columns ? { columns } : {}) }).split(
      "\n",
    );
    if (layers && s.layers) lines.push(...layerView(s.layers, paint).map((l) => `  ${l}`));
    return lines;
  };
  return {
    update(s, rate, layers, now) {
      const lines = linesOf(s, rate, layers);
      if (area) return area.render(lines);
      pending = lines;
      if (now - lastPlainAt < PLAIN_EVERY_MS) return;
      lastPlainAt = now;
      stream.write(`${lines.join("\n")}\n`);
      pending = null;
    },
    note(message) {
      if (area) return area.note(message);
      stream.write(`${message}\n`);
    },
    stop() {
      if (area) return area.stop();
      if (pending) stream.write(`${pending.join("\n")}\n`);
      pending = null;
    },
  };
}
