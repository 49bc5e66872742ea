/** One measured figure of the benchmark report. */
export interface Figure {
  /** Stable id for `--json` and the chart, e.g. `e2e.tasks_per_s.1k`. */
  readonly metric: string;
  /** What the table calls it. */
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** A bound to meet (pass/fail), or a reference shown as text only. */
  readonly target?: Target | string;
  /** The emulator's (or machine's) own limit for the same operations, same run. */
  readonly limit?: string;
  /** Lines printed under the table (per-operation request counts, how it was measured). */
  readonly detail?: readonly string[];
}

export interface Target {
  readonly op: ">=" | "<=";
  readonly value: number;
}

export const atLeast = (value: number): Target => ({ op: ">=", value });
export const atMost = (value: number): Target => ({ op: "<=", value });

export function passes(f: Figure): boolean | null {
  if (f.target === undefined || typeof f.target === "string") return null;
  if (!Number.isFinite(f.value)) return false;
  return f.target.op === ">=" ? f.value >= f.target.value : f.value <= f.target.value;
}

/** `≥ 3,000` for the table; `>= 3000` (ASCII, no separators) for JSON. */
export function targetText(f: Figure, ascii = false): string | null {
  if (f.target === undefined) return null;
  if (typeof f.target === "string") return f.target;
  if (ascii) return `${f.target.op} ${f.target.value}`;
  return `${f.target.op === ">=" ? "≥" : "≤"} ${f.target.value.toLocaleString("en-US")}`;
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString("en-US");
  return value.toFixed(2);
}

/** The `--json` line of a figure: `{"metric","value","unit","target","pass"}`. */
export function jsonLine(f: Figure, quick: boolean): string {
  const value = Number.isFinite(f.value) ? Number(f.value.toPrecision(6)) : null;
  return JSON.stringify({
    metric: f.metric,
    value,
    unit: f.unit,
    target: targetText(f, true),
    pass: passes(f),
    ...(quick ? { quick: true } : {}),
  });
}

/** The table: one line per figure, then each figure's detail lines. */
export function table(figures: readonly Figure[]): string[] {
  const nameWidth = Math.max(...figures.map((f) => f.name.length));
  const cell = (f: Figure) => `${formatNumber(f.value)} ${f.unit}`;
  const valueWidth = Math.max(...figures.map((f) => cell(f).length));
  const targetWidth = Math.max(0, ...figures.map((f) => (targetText(f) ?? "").length));
  const lines = figures.map((f) => {
    const pass = passes(f);
    const verdict = pass === null ? "    " : pass ? "pass" : "FAIL";
    const target = targetText(f) ?? "";
    return `${f.name.padEnd(nameWidth)}  ${cell(f).padStart(valueWidth)}  ${target.padEnd(targetWidth)}  ${verdict}${f.limit ? `  ${f.limit}` : ""}`.trimEnd();
  });
  for (const f of figures) {
    if (!f.detail?.length) continue;
    lines.push("", `${f.metric} — ${f.name}:`, ...f.detail.map((d) => `  ${d}`));
  }
  return lines;
}

/** A figure of a suite that names it for the table only; `withMetrics` gives it an id. */
export type UnnamedFigure = Omit<Figure, "metric">;

/** Ids for `--json` from the table's names: `map.10000_items:_expansion` style slugs. */
export function withMetrics(suite: string, figures: readonly UnnamedFigure[]): Figure[] {
  return figures.map((f) => ({
    ...f,
    metric: `${suite}.${f.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_|_$/g, "")}`,
  }));
}
