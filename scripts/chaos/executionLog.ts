/**
 * The log every chaos task appends to as it starts: `name attempt pid workflow`, one line per
 * execution (an O_APPEND write of one short line, so lines of concurrent tasks never mix).
 */
import { readFileSync } from "node:fs";

export interface Execution {
  readonly attempt: number;
  readonly pid: number;
}

export interface ExecutionLog {
  /** Executions by `workflow task`, in the order they started. */
  readonly byTask: ReadonlyMap<string, readonly Execution[]>;
  readonly lines: number;
  /** Lines that are not `name attempt pid workflow` (none are expected). */
  readonly malformed: number;
}

export const taskKey = (workflow: string, task: string) => `${workflow} ${task}`;

export function readExecutionLog(path: string): ExecutionLog {
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const byTask = new Map<string, Execution[]>();
  let lines = 0;
  let malformed = 0;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    lines++;
    const m = /^(\S+) (\d+) (\d+) (\S+)$/.exec(line);
    if (!m) {
      malformed++;
      continue;
    }
    const key = taskKey(m[4]!, m[1]!);
    const list = byTask.get(key) ?? [];
    list.push({ attempt: Number(m[2]), pid: Number(m[3]) });
    byTask.set(key, list);
  }
  return { byTask, lines, malformed };
}

/** Executions beyond the first of each attempt: what crashes cost in repeated work. */
export function extraExecutions(runs: readonly Execution[]): number {
  const attempts = new Set(runs.map((r) => r.attempt));
  return runs.length - attempts.size;
}
