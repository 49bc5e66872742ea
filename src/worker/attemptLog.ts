/**
 * One attempt's log: the command's stdout and stderr interleaved, a line each, as
 *
 *     2026-12-06T09:32:26.123Z O a line the task printed on stdout
 *     2026-12-06T09:32:26.130Z E a line it printed on stderr
 *     2026-12-06T09:32:31.000Z - [dagq: a note of dagq's own]
 *
 * written to an append-only target (an append blob for a worker, a file for run-local) while
 * the task runs: every `flushMs` or `flushBytes`, whichever comes first, so a running task's
 * log can be followed. Bounded: the first `headBytes` are written as they come; past them only
 * the last `tailBytes` are kept in memory and written when the attempt ends, after a line that
 * says how much was dropped (an append blob cannot be rewritten, so the tail cannot be shown
 * until then). A task that prints nothing writes nothing: the target is created by the first
 * append, which keeps the hot path of silent tasks free of storage calls.
 */

/** Where the lines go; creating it on the first append is the target's business. */
export interface LogTarget {
  append(data: Uint8Array): Promise<void>;
}

export interface LogLimits {
  /** Bytes kept from the start of the log. */
  readonly headBytes: number;
  /** Bytes kept from the end of the log once the head is full. */
  readonly tailBytes: number;
  /** Flush when this much is waiting... */
  readonly flushBytes: number;
  /** ...or this long after the first unflushed line. */
  readonly flushMs: number;
}

export const DEFAULT_LOG_LIMITS: LogLimits = {
  headBytes: 1024 * 1024,
  tailBytes: 1024 * 1024,
  flushBytes: 64 * 1024,
  flushMs: 2000,
};

export type LogStream = "stdout" | "stderr";
const TAG = { stdout: "O", stderr: "E" } as const;
const NEWLINE = 0x0a;

export interface AttemptLogSummary {
  /** Bytes of formatted log the task produced, dropped ones included. */
  readonly bytes: number;
  readonly dropped: number;
  /** Whether anything reached the target. */
  readonly written: boolean;
}

export class AttemptLog {
  private readonly partial: Record<LogStream, Buffer | null> = { stdout: null, stderr: null };
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private headLeft: number;
  private tail: Buffer[] | null = null;
  private tailSize = 0;
  private total = 0;
  private dropped = 0;
  private written = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private chain: Promise<void> = Promise.resolve();
  private failed = false;

  constructor(
    private readonly target: LogTarget,
    private readonly limits: LogLimits = DEFAULT_LOG_LIMITS,
    private readonly warn: (why: string) => void = () => {},
    private readonly clock: () => number = Date.now,
  ) {
    this.headLeft = limits.headBytes;
  }

  /** Takes a chunk as the process wrote it; whole lines are logged, a partial one waits. */
  write(stream: LogStream, chunk: Buffer): void {
    let data = this.partial[stream] ? Buffer.concat([this.partial[stream], chunk]) : chunk;
    let start = 0;
    for (let nl = data.indexOf(NEWLINE); nl >= 0; nl = data.indexOf(NEWLINE, start)) {
      this.line(stream, data.subarray(start, nl));
      start = nl + 1;
    }
    data = data.subarray(start);
    // A line that never ends (a progress bar, binary output) is cut rather than held forever.
    while (data.length >= this.limits.flushBytes) {
      const cut = utf8Boundary(data, this.limits.flushBytes);
      this.line(stream, data.subarray(0, cut));
      data = data.subarray(cut);
    }
    this.partial[stream] = data.length > 0 ? Buffer.from(data) : null;
  }

  /** Writes what is left (partial lines, the kept tail) and resolves once it is all out. */
  async close(): Promise<AttemptLogSummary> {
    for (const stream of ["stdout", "stderr"] as const) {
      const rest = this.partial[stream];
      this.partial[stream] = null;
      if (rest) this.line(stream, rest);
    }
    if (this.tail !== null) {
      const kept = this.tailSize;
      this.push(
        this.format(
          "-",
          Buffer.from(
            `[dagq: ${this.dropped} bytes of output dropped here; the first ${this.limits.headBytes} and the last ${kept} are kept]`,
          ),
        ),
      );
      for (const b of this.tail) this.push(b);
      this.tail = null;
    }
    this.flush();
    await this.chain;
    return { bytes: this.total, dropped: this.dropped, written: this.written };
  }

  private line(stream: LogStream, text: Buffer): void {
    const formatted = this.format(TAG[stream], text);
    this.total += formatted.length;
    if (this.tail === null && formatted.length <= this.headLeft) {
      this.headLeft -= formatted.length;
      this.push(formatted);
      return;
    }
    // The head is full: from here on, keep a window of the last tailBytes.
    this.tail ??= [];
    this.tail.push(formatted);
    this.tailSize += formatted.length;
    while (this.tailSize > this.limits.tailBytes && this.tail.length > 0) {
      const first = this.tail[0]!;
      const over = this.tailSize - this.limits.tailBytes;
      if (first.length <= over || this.tail.length > 1) {
        this.tail.shift();
        this.tailSize -= first.length;
        this.dropped += first.length;
      } else {
        // One line longer than the whole tail: keep its end.
        this.tail[0] = first.subarray(utf8Boundary(first, over));
        this.tailSize -= first.length - this.tail[0].length;
        this.dropped += first.length - this.tail[0].length;
      }
    }
  }

  private format(tag: string, text: Buffer): Buffer {
    const head = Buffer.from(`${new Date(this.clock()).toISOString()} ${tag} `);
    return Buffer.concat([head, text, Buffer.from("\n")]);
  }

  private push(b: Buffer): void {
    this.pending.push(b);
    this.pendingBytes += b.length;
    if (this.pendingBytes >= this.limits.flushBytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.limits.flushMs);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pendingBytes === 0) return;
    const data = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    // Appends go one at a time, in order; a failed one ends logging, never the task.
    this.chain = this.chain.then(async () => {
      if (this.failed) return;
      try {
        await this.target.append(data);
        this.written = true;
      } catch (e) {
        this.failed = true;
        this.warn(`the task's log could not be written: ${String(e)}`);
      }
    });
  }
}

/**
 * The largest cut ≤ `at` that does not split a UTF-8 sequence, so every append (and every
 * offset a reader resumes from) starts on a character. Invalid bytes are not our concern:
 * at most 3 continuation bytes are stepped over.
 */
export function utf8Boundary(data: Buffer, at: number): number {
  let cut = Math.min(at, data.length);
  for (let k = 0; k < 3 && cut > 0 && cut < data.length && (data[cut]! & 0xc0) === 0x80; k++) cut--;
  return cut === 0 ? Math.min(at, data.length) : cut;
}
