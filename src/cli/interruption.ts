/**
 * Ctrl-C as an AbortSignal, so a command's loop can stop where it stands (its requests
 * aborted, its sleep cut short) and still clean up before exiting 130: give the terminal
 * back, and say what keeps running.
 */
export interface Interruption {
  readonly signal: AbortSignal;
  /** Resolves after `ms`, or at once when interrupted. */
  sleep(ms: number): Promise<void>;
  dispose(): void;
}

export function interruption(): Interruption {
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error("interrupted by SIGINT"));
  process.once("SIGINT", onSigint);
  const { signal } = controller;
  return {
    signal,
    sleep: (ms) =>
      new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          resolve();
        }
        signal.addEventListener("abort", done, { once: true });
      }),
    dispose: () => process.off("SIGINT", onSigint),
  };
}
