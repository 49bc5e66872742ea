import type { Paint, Style } from "./paint.js";

export interface Column {
  readonly header: string;
  readonly align?: "left" | "right";
  /** The colour of one cell, from its plain text. */
  readonly style?: (cell: string) => Style | undefined;
}

/**
 * Columns padded to their widest cell, two spaces apart, no trailing spaces. Widths are measured
 * on the plain text and colour applied after, so escape codes never skew the alignment.
 */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  paint: Paint,
): string {
  const widths = columns.map((c, k) =>
    Math.max(c.header.length, ...rows.map((r) => [...(r[k] ?? "")].length)),
  );
  const line = (cells: readonly string[], header: boolean) =>
    columns
      .map((c, k) => {
        const text = cells[k] ?? "";
        const pad = " ".repeat(widths[k]! - [...text].length);
        const last = k === columns.length - 1;
        const style = header ? "bold" : c.style?.(text);
        const shown = style ? paint(style, text) : text;
        if (c.align === "right") return pad + shown;
        return last ? shown : shown + pad;
      })
      .join("  ")
      .trimEnd();
  return `${[
    line(
      columns.map((c) => c.header),
      true,
    ),
    ...rows.map((r) => line(r, false)),
  ].join("\n")}\n`;
}
