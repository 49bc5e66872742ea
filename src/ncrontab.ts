/**
 * NCRONTAB, as the Azure Functions timer trigger reads it: six fields, seconds first,
 * `{second} {minute} {hour} {day} {month} {day-of-week}`. Each field is a comma-separated list
 * of `*`, a value, a range `a-b`, or one of those with a step (`*\/n`, `a-b/n`, `a/n` = from a
 * to the field's end). Days of the week are 0-6 with 0 Sunday; months and days may be English
 * names or their three-letter abbreviations, in any case. Day-of-month and day-of-week must
 * BOTH match when both are restricted.
 *
 * Why a hand-written check in front of croner, which evaluates the schedules: croner's grammar
 * is a superset (`L`, `?`, `W`, `#`, day-of-week 7, year fields) and by default ORs the two day
 * fields, as Vixie cron does. A schedule that runs under `dagq host` must not be one that puts
 * the function into an error state on Azure, or one that fires on other days there. So the text
 * is checked against Azure's grammar here, rewritten into the plain numeric subset both agree
 * on, and croner evaluates it with `domAndDow` (AND).
 */
import { Cron } from "croner";

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
const DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

const FIELDS: readonly Field[] = [
  { name: "second", min: 0, max: 59 },
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day-of-week", min: 0, max: 6, names: DAYS },
];

export type NcrontabParse =
  | { readonly ok: true; readonly canonical: string }
  | { readonly ok: false; readonly error: string };

/** Checks `text` against Azure's NCRONTAB grammar; on success, the same schedule in numbers. */
export function parseNcrontab(text: string): NcrontabParse {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 6 || parts[0] === "") {
    return {
      ok: false,
      error: `"${text}": an NCRONTAB expression has 6 fields (second minute hour day month day-of-week), not ${parts[0] === "" ? 0 : parts.length}`,
    };
  }
  const canonical: string[] = [];
  for (let i = 0; i < FIELDS.length; i++) {
    const field = FIELDS[i]!;
    const items: string[] = [];
    for (const item of parts[i]!.split(",")) {
      const parsed = parseItem(item, field);
      if (typeof parsed !== "string" || parsed.startsWith("!")) {
        return {
          ok: false,
          error: `"${text}": ${field.name} field "${parts[i]}": ${String(parsed).slice(1)}`,
        };
      }
      items.push(parsed);
    }
    canonical.push(items.join(","));
  }
  return { ok: true, canonical: canonical.join(" ") };
}

/** An NCRONTAB schedule evaluated with Azure's rules, in UTC; throws on an invalid one. */
export function ncrontabSchedule(text: string): Cron {
  const parsed = parseNcrontab(text);
  if (!parsed.ok) throw new Error(parsed.error);
  // No callback: croner only computes occurrences; the caller does the waiting.
  return new Cron(parsed.canonical, { mode: "6-part", timezone: "UTC", domAndDow: true });
}

/** One list item in croner's strict numeric form, or `!reason`. */
function parseItem(item: string, field: Field): string {
  const [range = "", step, extra] = item.split("/");
  if (extra !== undefined) return `!"${item}" has two steps`;
  let every: number | null = null;
  if (step !== undefined) {
    every = integer(step);
    if (every === null || every < 1)
      return `!"${item}": the step must be a whole number of at least 1`;
  }
  if (range === "*") return every === null ? "*" : `*/${every}`;
  const [a = "", b, more] = range.split("-");
  if (more !== undefined) return `!"${item}" is not a range`;
  const first = value(a, field);
  if (typeof first === "string") return first;
  if (b === undefined) {
    // `a/n` runs from a to the field's end; croner spells that `a-max/n`.
    if (every !== null) return `${first}-${field.max}/${every}`;
    return String(first);
  }
  const last = value(b, field);
  if (typeof last === "string") return last;
  if (last < first) return `!"${item}": the range runs backwards`;
  return every === null ? `${first}-${last}` : `${first}-${last}/${every}`;
}

function value(text: string, field: Field): number | string {
  const n = integer(text);
  if (n !== null) {
    if (n < field.min || n > field.max) {
      return `!${n} is out of range (${field.min}-${field.max}${field.name === "day-of-week" ? ", 0 is Sunday" : ""})`;
    }
    return n;
  }
  const lower = text.toLowerCase();
  const index =
    field.names?.findIndex((name) => name === lower || name.slice(0, 3) === lower) ?? -1;
  if (index >= 0) return index + field.min;
  return `!"${text}" is not a ${field.names ? "number or name" : "number"} (L, W, #, ? and the like are not NCRONTAB)`;
}

function integer(text: string): number | null {
  return /^\d{1,4}$/.test(text) ? Number(text) : null;
}
