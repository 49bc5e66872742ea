/**
 * Retries a storage call with exponential backoff and jitter. The Azure SDKs already retry a
 * single request a few times; this covers longer blips (a restarting emulator, a throttled
 * account) in the worker's loop, where giving up would mean dropping a finished task's report.
 */
export function retrying(opts: {
  attempts: number;
  baseMs: number;
  maxMs: number;
  log?: (msg: string) => void;
}) {
  return async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (attempt >= opts.attempts) throw e;
        const delay =
          Math.min(opts.maxMs, opts.baseMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
        opts.log?.(
          `${what} failed (attempt ${attempt}/${opts.attempts}), retrying in ${Math.round(delay)} ms: ${String(e)}`,
        );
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  };
}
