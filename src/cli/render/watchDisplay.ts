import type { WorkflowStatus } from "../../client/index.js";
import { layerView } from "./layerView.js";
import { LiveArea } from "./liveArea.js";
import type { Paint } from "./paint.js";
import { progressLine } from "./progressLine.js";
import type { Rate } from "./rateMeter.js";

/** Plain lines at most this often when stderr is not a terminal, as run-local does. */
const PLAIN_EVERY_MS = 2000;

export interface WatchDisplay {
  /** The layer view is shown when `layers` is true and the status carries layers. */
  update(s: WorkflowStatus, rate: Rate, layers: boolean, now: number): void;
  /** The last state, always printed (on a pipe too), then the terminal given back. */
  stop(): void;
}

/** Progress on `stream` (stderr): a block redrawn in place on a terminal, else plain lines. */
export function createWatchDisplay(stream: NodeJS.WriteStream, paint: Paint): WatchDisplay {
  const tty = stream.isTTY === true;
  const area = tty ? new LiveArea(stream) : null;
  let lastPlainAt = Number.NEGATIVE_INFINITY;
  let pending: string[] | null = null;
  const linesOf = (s: WorkflowStatus, rate: Rate, layers: boolean) => {
    const lines = [progressLine(s, rate, { tty, paint })];
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
    stop() {
      if (area) return area.stop();
      if (pending) stream.write(`${pending.join("\n")}\n`);
      pending = null;
    },
  };
}
