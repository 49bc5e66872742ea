/** How an attempt's process ended, as the shell task observed it. */
export interface Ended {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  readonly spawnError: string | null;
  readonly stderrTail: string;
}

const ERROR_DETAIL_CHARS = 500;

/**
 * The reason a failed attempt carries, or undefined if the process succeeded. Short and
 * one-topic, because it travels in the completion message and ends up in `dagq status`; the
 * end of stderr is usually where a command says what went wrong.
 */
export function attemptError(
  e: Ended,
  timeoutS: number | null,
  workDir: string | undefined,
): string | undefined {
  if (e.spawnError !== null) {
    const where = workDir === undefined ? "" : ` in ${workDir}`;
    return `could not start /bin/sh${where}: ${e.spawnError}`;
  }
  if (e.timedOut) return `timed out after ${timeoutS}s`;
  if (e.aborted) return "aborted";
  if (e.signal !== null) return `killed by ${e.signal}`;
  if (e.exitCode !== 0) {
    const detail = lastLines(e.stderrTail, ERROR_DETAIL_CHARS);
    return detail ? `exit code ${e.exitCode}: ${detail}` : `exit code ${e.exitCode}`;
  }
  return undefined;
}

/** The end of `text`, at most `max` characters, starting at a line boundary when one fits. */
export function lastLines(text: string, max: number): string {
  const trimmed = text.trim();
  if (trimmed.length <= max) return trimmed;
  const cut = trimmed.slice(-max);
  const nl = cut.indexOf("\n");
  return nl >= 0 && nl < cut.length - 1 ? cut.slice(nl + 1) : `…${cut.slice(1)}`;
}
