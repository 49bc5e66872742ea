import { existsSync } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";

/**
 * run-local's task logs on disk, in the same format as a worker's log blobs
 * (worker/attemptLog.ts): `<dir>/<workflow id>/<task>/<attempt>.log`, and `result.json` in the
 * workflow's folder once the run has ended. `dagq logs` reads them with `--local`, or finds
 * them by itself in the default folder.
 */
export const DEFAULT_LOCAL_LOGS = ".dagq/logs";

export function localLogPath(dir: string, id: string, task: string, attempt: number): string {
  return join(dir, id, task, `${attempt}.log`);
}

export function localResultPath(dir: string, id: string): string {
  return join(dir, id, "result.json");
}

/** Whether `dir` holds logs of workflow `id`. */
export function hasLocalRun(dir: string, id: string): boolean {
  return existsSync(join(dir, id));
}

/** The attempt numbers with a log for a task, in order. */
export async function localAttempts(dir: string, id: string, task: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(join(dir, id, task));
  } catch {
    return [];
  }
  return names
    .map((n) => /^(\d+)\.log$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** The bytes of a log file from `offset`; null when it does not exist. */
export async function readLocalLog(path: string, offset: number): Promise<Buffer | null> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return null;
  }
  if (offset >= size) return Buffer.alloc(0);
  const file = await open(path, "r");
  try {
    const out = Buffer.alloc(size - offset);
    const { bytesRead } = await file.read(out, 0, out.length, offset);
    // Only whole lines: the writer may be in the middle of an append.
    const whole = out.subarray(0, bytesRead);
    return whole.subarray(0, whole.lastIndexOf(0x0a) + 1);
  } finally {
    await file.close();
  }
}
