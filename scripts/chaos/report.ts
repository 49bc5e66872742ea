/** The chaos run's summary: a table of counts, one line per kill, then the findings. */
import type { ChaosResult } from "./runChaos.js";
import type { Finding } from "./verdict.js";

const SHOWN = 20;

export function chaosReport(r: ChaosResult): string {
  const v = r.verdict;
  const o = r.options;
  const s = (ms: number | null) => (ms === null ? "none" : `${(ms / 1000).toFixed(1)} s`);
  const done = (kind: string) => r.kills.filter((k) => k.kind === kind).length;
  const rows: Array<[string, string]> = [
    ["workflows × tasks", `${o.workflows} × ${o.tasks} = ${v.tasks} tasks`],
    ["seed", String(o.seed)],
    [
      "kills done (planned)",
      `host ${done("host")} (${o.kills.host}), worker ${done("worker")} (${o.kills.worker}), storage ${done("storage")} (${o.kills.storage})`,
    ],
    ["run time", s(r.runMs)],
    ["executions", String(v.executions)],
    ["lost", String(v.lost.length)],
    ["double-applied", String(v.doubleApplied.length)],
    ["state differences", String(v.stateDiffs.length)],
    ["duplicate executions", String(v.duplicates)],
    ["stale inputs (allowed)", String(v.staleInputs.length)],
    [
      "status reads failed",
      `${r.reads.failed} (5xx: ${r.reads.serverErrors}), longest failing ${s(r.reads.longestFailingMs)}`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, val]) => `  ${k.padEnd(width)}  ${val}`);
  lines.push("", "  kill      at        finished   stall");
  for (const k of r.kills)
    lines.push(
      `  ${k.kind.padEnd(8)}  ${s(k.atMs).padStart(8)}  ${String(k.finishedBefore).padStart(8)}   ${s(k.stallMs)}`,
    );
  for (const [title, list] of [
    ["lost", v.lost],
    ["double-applied", v.doubleApplied],
    ["state differences", v.stateDiffs],
    ["stale inputs", v.staleInputs],
  ] as const)
    if (list.length > 0) lines.push("", `  ${title}:`, ...findings(list));
  lines.push(
    "",
    `  verdict: ${r.ok ? "OK" : "FAILED"}${r.ok ? "" : ` (logs and data kept in ${r.dir})`}`,
  );
  return `dagq chaos\n${lines.join("\n")}\n`;
}

function findings(list: readonly Finding[]): string[] {
  const shown = list.slice(0, SHOWN).map((f) => `    ${f.workflow} ${f.task}: ${f.why}`);
  if (list.length > SHOWN) shown.push(`    … and ${list.length - SHOWN} more`);
  return shown;
}
