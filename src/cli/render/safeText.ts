/**
 * Text that came from a user or a task (workflow and task names, reasons, outputs, log lines),
 * made safe to print on a terminal: every control character is replaced, so a task's stderr
 * cannot move the cursor, retitle the window, hide text or plant escape sequences (ESC, CSI,
 * OSC, BEL, backspace, a bare CR that overwrites the line). C0 (U+0000–U+001F), DEL and C1
 * (U+0080–U+009F, the 8-bit forms of CSI and OSC) all count. Tabs become a space; newlines are
 * kept only where the caller allows them. Replaced characters show as `�`, so the reader sees
 * that something was there.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_OR_NEWLINE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

export function safeText(text: string, opts: { readonly newlines?: boolean } = {}): string {
  const tabless = text.replace(/\t/g, " ");
  return opts.newlines
    ? tabless.replace(/\r\n/g, "\n").replace(CONTROL, "\uFFFD")
    : tabless.replace(CONTROL_OR_NEWLINE, "\uFFFD");
}

/** The first line of a text (a reason's headline), made safe; `…` when more lines follow. */
export function firstLine(text: string): string {
  const trimmed = text.trim();
  const nl = trimmed.search(/\r?\n/);
  return nl < 0 ? safeText(trimmed) : `${safeText(trimmed.slice(0, nl).trimEnd())} …`;
}

/** Every line of a text, made safe, joined with ` | ` for a one-line cell. */
export function allLines(text: string): string {
  return safeText(text.trim().replace(/\s*\r?\n\s*/g, " | "));
}

const JSON_UNESCAPED_CONTROL = /[\u007f-\u009f]/g;

/**
 * JSON for a terminal or a pipe: JSON.stringify escapes C0 controls in strings but leaves DEL
 * and the C1 controls raw (U+009B is an 8-bit CSI). Escaping them too gives the same value.
 */
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    JSON_UNESCAPED_CONTROL,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
