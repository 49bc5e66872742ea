import { safeText } from "./safeText.js";

/** One line of a task log (worker/attemptLog.ts): when, which stream, what. */
const LINE = /^(\S+) ([OE-]) (.*)$/s;

export interface LogView {
  /** Only the task's stderr (and dagq's notes). */
  readonly stderrOnly: boolean;
  /** Keep each line's time and stream tag. */
  readonly timestamps: boolean;
  /**
   * Replace control characters (a terminal): a task's output must not drive the terminal.
   * Off a terminal the lines go out as the task wrote them, so `dagq logs ... > file` keeps
   * the bytes.
   */
  readonly safe: boolean;
}

/** The lines of a log piece (whole lines, as the API and the local files give them) for printing. */
export function logLines(text: string, view: LogView): string {
  let out = "";
  for (const raw of text.split("\n")) {
    if (raw === "") continue;
    const m = LINE.exec(raw);
    const [tag, body] = m ? [m[2]!, m[3]!] : ["O", raw];
    if (view.stderrOnly && tag === "O") continue;
    const line = view.timestamps || !m ? raw : body;
    out += `${view.safe ? safeText(line) : line}\n`;
  }
  return out;
}
