import { useEffect, useRef } from "preact/hooks";

export const POLL_MS = 2000;

/**
 * Calls `tick` now and then every `everyMs` after the previous tick finished (never two at
 * once), while `active`; paused while the tab is hidden. Restarts when `deps` change.
 */
export function usePoll(
  tick: (signal: AbortSignal) => Promise<void>,
  active: boolean,
  deps: readonly unknown[],
  everyMs = POLL_MS,
): void {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;
    const run = async () => {
      if (abort.signal.aborted || running) return;
      running = true;
      if (!document.hidden) {
        try {
          await latest.current(abort.signal);
        } catch {
          // The tick shows its own errors; polling goes on.
        }
      }
      running = false;
      clearTimeout(timer);
      if (active && !abort.signal.aborted) timer = setTimeout(run, everyMs);
    };
    void run();
    const onVisible = () => {
      if (!document.hidden && active) {
        clearTimeout(timer);
        void run();
      }
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      abort.abort();
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [active, everyMs, ...deps]);
}
