import type { HostLog } from "./invocationContext.js";

/** An invocation ran past host.json's functionTimeout and was abandoned. */
export class FunctionTimeoutError extends Error {
  constructor(
    readonly functionName: string,
    readonly timeoutMs: number,
  ) {
    super(`timeout value of ${timeSpan(timeoutMs)} exceeded by function '${functionName}'`);
    this.name = "FunctionTimeoutError";
  }
}

/**
 * Runs one invocation under host.json's functionTimeout. On Azure an invocation that passes it
 * makes the host restart the language worker, which fails every invocation in flight on that
 * instance. This host cannot stop a running promise, so it abandons the invocation instead: it
 * rejects with FunctionTimeoutError, the trigger treats it as failed (a queue message is retried
 * or poisoned, an HTTP request gets a 500, a timer run counts as failed), the line Azure would
 * log is logged, and whatever the handler does afterwards is ignored.
 */
export async function withFunctionTimeout<T>(
  run: () => Promise<T>,
  opts: { readonly name: string; readonly timeoutMs: number; readonly log: HostLog },
): Promise<T> {
  if (!Number.isFinite(opts.timeoutMs)) return run();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      opts.log(
        "error",
        `[${opts.name}] timeout value of ${timeSpan(opts.timeoutMs)} exceeded: invocation abandoned (on Azure the host restarts the worker, failing every invocation in flight on the instance)`,
      );
      reject(new FunctionTimeoutError(opts.name, opts.timeoutMs));
    }, opts.timeoutMs);
  });
  const running = run();
  running.catch(() => {}); // an abandoned invocation's late failure is nobody's business
  try {
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** `hh:mm:ss[.fff]`, as host.json writes it. */
function timeSpan(ms: number): string {
  const s = Math.floor(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  const frac = ms % 1000 ? `.${String(ms % 1000).padStart(3, "0")}` : "";
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}${frac}`;
}
