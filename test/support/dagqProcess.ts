import { spawn } from "node:child_process";

/**
 * Runs the CLI from source through tsx's loader as a real process (real exit codes and
 * signals), with no build step, so a test cannot pass on a stale dist/.
 */
export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function dagqProcess(
  args: readonly string[],
  opts: {
    readonly env?: Record<string, string>;
    readonly onSpawn?: (pid: number) => void;
    /** Called with the whole stderr so far each time more arrives. */
    readonly onStderr?: (pid: number, text: string) => void;
  } = {},
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      env: { ...process.env, NO_COLOR: "1", ...opts.env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c;
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c;
      opts.onStderr?.(child.pid!, stderr);
    });
    child.on("error", reject);
    child.on("spawn", () => opts.onSpawn?.(child.pid!));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
