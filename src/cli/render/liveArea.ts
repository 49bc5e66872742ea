/**
 * A block of lines redrawn in place on a terminal: each render moves the cursor back up over
 * the previous block and clears it. Line wrapping is off while it is shown, so a line wider
 * than the terminal is clipped instead of wrapping and throwing the line count off.
 */
export class LiveArea {
  private shown = 0;
  private active = false;
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
    this.stream.write(out);
  }

  /** Leaves the last block on screen and gives the terminal back. */
  stop(): void {
    if (!this.active) return;
    this.active = false;
    process.off("exit", this.restore);
    this.restore();
  }
}
