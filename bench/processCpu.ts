/**
 * CPU time of the benchmark's processes, from /proc (Linux): where a run's CPU went — the
 * emulator, the host, the workers (with the task processes they ran), the bench and its proxy.
 * On a system without /proc every reading is null and the report leaves the line out.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Linux reports /proc times in USER_HZ ticks, 100 per second on every architecture it runs on. */
const TICKS_PER_S = 100;

interface Stat {
  readonly ppid: number;
  /** utime + stime (+ cutime + cstime: waited-for children, i.e. finished task processes). */
  readonly seconds: number;
}

function stat(pid: number): Stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may contain spaces: fields start after it.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const n = (k: number) => Number(fields[k - 3] ?? 0);
  return { ppid: n(4), seconds: (n(14) + n(15) + n(16) + n(17)) / TICKS_PER_S };
}

/** CPU seconds used so far by a process (and its finished children), or null. */
export function cpuSeconds(pid: number | undefined): number | null {
  return pid === undefined ? null : (stat(pid)?.seconds ?? null);
}

/** The processes whose parent is `parent` and whose command line contains `needle`. */
export function childrenMatching(parent: number, needle: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  return entries
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      if (stat(pid)?.ppid !== parent) return false;
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(needle);
      } catch {
        return false;
      }
    });
}

export type CpuGroups = Readonly<Record<string, readonly number[]>>;

/** CPU seconds per group of processes; the bench's own process is `bench` (with the proxy). */
export function cpuByGroup(groups: CpuGroups): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, pids] of Object.entries(groups))
    out[name] = pids.reduce((s, pid) => s + (cpuSeconds(pid) ?? 0), 0);
  const own = process.cpuUsage();
  out.bench = (own.user + own.system) / 1e6;
  return out;
}

/** `azurite 12.3 s (12.3 ms/task), host ...`: CPU between two readings, per unit. */
export function cpuLine(
  before: Record<string, number>,
  after: Record<string, number>,
  units: number,
  unit: string,
  wallS: number,
): string {
  const parts = Object.keys(after).map((name) => {
    const s = (after[name] ?? 0) - (before[name] ?? 0);
    return `${name} ${s.toFixed(1)} s (${((s * 1000) / units).toFixed(1)} ms/${unit})`;
  });
  return `CPU over ${wallS.toFixed(1)} s of wall time: ${parts.join(", ")}`;
}
