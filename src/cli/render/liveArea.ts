/**
 * A block of lines redrawn in place on a terminal: each render moves the cursor back up over
 * the previous block and clears it. Line wrapping is off while it is shown, so a line wider
 * than the terminal is clipped instead of wrapping and throwing the line count off.
 */
export class LiveArea {
  private shown = 0;
  private active = false;
  private last: readonly string[] = [];
  private readonly restore = () => this.stream.write("\x1b[?7h\x1b[?25h");

  constructor(private readonly stream: NodeJS.WriteStream) {}

  render(lines: readonly string[]): void {
    let out = "";
    if (!this.active) {
      this.active = true;
      // However the process ends, the terminal gets its cursor and wrapping back.
      process.once("exit", this.restore);
      out += "\x1b[?7l\x1b[?25l";
    }
    if (this.shown > 0) out += `\x1b[${this.shown}A\r`;
    out += `\x1b[0J${lines.join("\n")}\n`;
    this.shown = lines.length;
    this.last = lines;
    this.stream.write(out);
  }

  /** Writes a line above the block, which is then drawn again below it. */
  note(message: string): void {
    if (!this.active) {
      this.stream.write(`${message}\n`);
      return;
    }
    const up = this.shown > 0 ? `\x1b[${this.shown}A\r` : "";
    this.stream.write(`${up}\x1b[0J${message}\n`);
    this.shown = 0;
    this.render(this.last);
  }

  /** Leaves the last block on screen and gives the terminal back. */
  stop(): void {
    if (!this.active) return;
    this.active = false;
    process.off("exit", this.restore);
    this.restore();
  }
}
