import type { Tally } from "./countingProxy.js";

/** What the proxy counted between two snapshots, for the given roles. */
export function countedBetween(
  before: readonly Tally[],
  after: readonly Tally[],
  roles: readonly string[],
): Tally[] {
  const id = (t: Tally) =>
    `${t.key.role}\u0000${t.key.service}\u0000${t.key.name}\u0000${t.key.resource}`;
  const earlier = new Map(before.map((t) => [id(t), t]));
  const out: Tally[] = [];
  for (const t of after) {
    if (!roles.includes(t.key.role)) continue;
    const b = earlier.get(id(t));
    const requests = t.requests - (b?.requests ?? 0);
    if (requests > 0)
      out.push({
        key: t.key,
        requests,
        ms: t.ms - (b?.ms ?? 0),
        messages: t.messages - (b?.messages ?? 0),
      });
  }
  return out;
}

export function totalRequests(tallies: readonly Tally[]): number {
  return tallies.reduce((n, t) => n + t.requests, 0);
}

/**
 * Requests whose number grows with the time things take, not with the work: receives that
 * found nothing, the host's looks into the inbox table, queue depth reads, the worker registry,
 * and the sweeps' queries of the workflow index. The rest is what the work itself costs.
 */
export function isPolling(t: Tally): boolean {
  const { service, name, resource } = t.key;
  if (name.endsWith("(empty)")) return true;
  if (service === "queue") return name === "metadata";
  if (service !== "table") return false;
  return (
    resource === "inbox" || resource === "workers" || (resource === "workflows" && name === "query")
  );
}

export interface BreakdownRow {
  /** `queue receive tasks-default`. */
  readonly operation: string;
  readonly requests: number;
  readonly byRole: Readonly<Record<string, number>>;
  /** Mean time in the emulator per request (through the proxy), ms. */
  readonly meanMs: number;
}

/** Requests per operation and resource, most first, with each role's share. */
export function breakdown(tallies: readonly Tally[]): BreakdownRow[] {
  const rows = new Map<
    string,
    { operation: string; requests: number; ms: number; byRole: Record<string, number> }
  >();
  for (const t of tallies) {
    const operation = `${t.key.service} ${t.key.name} ${t.key.resource}`;
    const row = rows.get(operation) ?? { operation, requests: 0, ms: 0, byRole: {} };
    rows.set(operation, row);
    row.requests += t.requests;
    row.ms += t.ms;
    row.byRole[t.key.role] = (row.byRole[t.key.role] ?? 0) + t.requests;
  }
  return [...rows.values()]
    .map((r) => ({
      operation: r.operation,
      requests: r.requests,
      byRole: r.byRole,
      meanMs: r.ms / r.requests,
    }))
    .sort((a, b) => b.requests - a.requests || a.operation.localeCompare(b.operation));
}

/** Lines for the table: requests per unit by operation, and each role's share. */
export function breakdownLines(tallies: readonly Tally[], units: number, unit: string): string[] {
  const rows = breakdown(tallies);
  const width = Math.max(0, ...rows.map((r) => r.operation.length));
  const roles = [...new Set(tallies.map((t) => t.key.role))].sort();
  const per = (n: number) => (n / units).toFixed(n / units >= 10 ? 1 : 2);
  const total = totalRequests(tallies);
  const lines = [
    `${per(total)} requests per ${unit} in all (${roles.map((role) => `${role} ${per(tallies.filter((t) => t.key.role === role).reduce((n, t) => n + t.requests, 0))}`).join(", ")})`,
  ];
  for (const r of rows) {
    const shares = roles
      .filter((role) => r.byRole[role])
      .map((role) => `${role} ${per(r.byRole[role]!)}`)
      .join(", ");
    lines.push(
      `  ${r.operation.padEnd(width)}  ${per(r.requests).padStart(7)}  (${shares}; ${r.meanMs.toFixed(1)} ms each)`,
    );
  }
  return lines;
}
