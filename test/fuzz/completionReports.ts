/**
 * Completion messages for the fuzz suite: good reports of the victim (each message's for a task
 * of its own), bad ones of every kind, whole messages that are no completion message; and how
 * to tell which good reports a message carried.
 */
import fc from "fast-check";
import {
  deepArrayText,
  deepValue,
  hostileString,
  hostileValue,
  mutationsOf,
  protoValue,
} from "./hostile.js";

/** A storage queue message holds 64 KiB: hostile strings stay well below. */
const HUGE = 20_000;
/** Victim tasks the bad reports aim at; no oracle reads them. */
export const M_TASKS = 10;

export const ok = (k: number) => `ok/${String(k).padStart(3, "0")}`;
export const m = (k: number) => `m/${String(k).padStart(2, "0")}`;

/** Where a good report of the victim goes: the property fills in a task of the message's own. */
const GOOD = "__good__";
/** Stands for an array `n` levels deep in a report's output: `"__deep__n"` in the text. */
const DEEP = "__deep__";

export function withDeepOutputs(text: string): string {
  return text.replace(/"__deep__(\d+)"/g, (_, n: string) => deepArrayText(Number(n)));
}
const goodReport = fc
  .constantFrom("started", "completed", "completed")
  .map((kind) => ({ [GOOD]: kind }));

/** The good report a marker stands for: `completed` carries the output `ok/k` must end with. */
export function fill(item: unknown, victim: string, k: number): unknown {
  if (typeof item !== "object" || item === null || !(GOOD in item)) return item;
  const kind = (item as Record<string, string>)[GOOD];
  return {
    kind,
    workflow_id: victim,
    task: ok(k),
    attempt: 1,
    ...(kind === "completed" ? { output: { k } } : {}),
  };
}

function badReport(victim: string, bystander: string) {
  const kind = fc.constantFrom("started", "completed", "failed", "cancelled", "__proto__");
  const victimBase = fc.nat(M_TASKS - 1).map((k) => ({
    kind: "completed",
    workflow_id: victim,
    task: m(k),
    attempt: 1,
    output: { k },
  }));
  const blobPaths = fc.oneof(
    fc.constantFrom(
      `wf/${victim}/head`,
      `wf/${victim}/journal-0`,
      `wf/${bystander}/signals.json`,
      `wf/${bystander}/definition.json.gz`,
      "../../x",
      "",
    ),
    hostileString(300),
  );
  return fc.oneof(
    // A good report of a task no oracle reads, changed somewhere.
    { weight: 3, arbitrary: victimBase.chain((r) => mutationsOf(r, HUGE)) },
    // Outputs nested far deeper than 64 levels: the parser must not recurse into them. The
    // deepest are spliced into the message's text (see deepOutput), too deep to stringify.
    fc
      .tuple(victimBase, fc.constantFrom(100, 3_000))
      .map(([r, depth]) => ({ ...r, output: deepValue(depth) })),
    fc
      .tuple(victimBase, fc.constantFrom(10_000, 25_000))
      .map(([r, depth]) => ({ ...r, output: `${DEEP}${depth}` })),
    // Refs to blobs that hold no output, for events that count and for ignored ones.
    fc
      .tuple(
        fc.oneof(
          victimBase,
          fc.constant({ kind: "completed", workflow_id: bystander, task: "keep/b", attempt: 1 }),
        ),
        blobPaths,
        fc.nat(),
      )
      .map(([r, path, bytes]) => ({ ...r, output: { $dagq: "output-ref", path, bytes } })),
    // The bystander's reports that must change nothing: stale, future or never-dispatched
    // attempts, unknown tasks (its current attempt, keep/a #2, is never sent).
    fc
      .record({
        kind,
        workflow_id: fc.constant(bystander),
        task: fc.constantFrom("keep/a", "keep/b", "keep/zz"),
        attempt: fc.constantFrom<unknown>(1, 3, 0, -1, 1000, 1001, 2.5, "2"),
        output: hostileValue(HUGE),
        error: hostileString(HUGE),
      })
      .filter((r) => !(r.task === "keep/a" && r.attempt === 2)),
    // Reports of workflows that do not exist, or ids that cannot be.
    fc.record({
      kind,
      workflow_id: fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,62}$/), hostileString(200)),
      task: hostileString(300),
      attempt: fc.integer({ min: 1, max: 1000 }),
    }),
    hostileValue(HUGE),
    fc.constant(null).map(protoValue),
  );
}

/**
 * One queue message's text: reports mixed with good ones, or hostile as a whole. Whole-message
 * mutations carry no good report: a mutation could turn one into a valid report of another
 * output, which would rightly be applied.
 */
export function messageArb(victim: string, bystander: string) {
  const items = fc.array(
    fc.oneof({ weight: 2, arbitrary: goodReport }, badReport(victim, bystander)),
    { minLength: 1, maxLength: 8 },
  );
  const badItems = fc.array(badReport(victim, bystander), { minLength: 1, maxLength: 4 });
  return fc.oneof(
    { weight: 6, arbitrary: items.map((completions) => ({ v: 1, completions })) },
    badItems.chain((completions) => mutationsOf({ v: 1, completions }, HUGE)).map(textOf),
    fc.constantFrom(
      "",
      "not json",
      "[]",
      "{}",
      "null",
      '{"v":2,"completions":[]}',
      '{"v":1,"completions":[]}',
      '{"v":1,"completions":"x"}',
      `{"v":1,"completions":[${Array(1001).fill("{}").join(",")}]}`,
      Buffer.from('{"v":1,"completions":[{}]}').toString("base64"),
      deepArrayText(20_000),
      '{"__proto__":{"v":1},"completions":[]}',
    ),
  );
}

export const kOf = (task: string) => Number(task.slice(3));

export function textOf(value: unknown): string {
  return JSON.stringify(value) ?? "null";
}

/** The good `completed` reports of the victim that a message carries, if it is well formed. */
export function goodCompletions(text: string, victim: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  const message = value as { v?: unknown; completions?: unknown };
  if (message?.v !== 1 || !Array.isArray(message.completions)) return [];
  // A message with other top-level keys or more than 1,000 reports is not a completion
  // message at all: nothing in it counts.
  if (Object.keys(message).length !== 2 || message.completions.length > 1000) return [];
  return message.completions
    .filter(
      (c): c is { task: string } =>
        typeof c === "object" &&
        c !== null &&
        (c as { kind?: unknown }).kind === "completed" &&
        (c as { workflow_id?: unknown }).workflow_id === victim &&
        typeof (c as { task?: unknown }).task === "string" &&
        /^ok\/\d{3}$/.test((c as { task: string }).task) &&
        (c as { attempt?: unknown }).attempt === 1 &&
        textOf((c as { output?: unknown }).output) ===
          textOf({ k: kOf((c as { task: string }).task) }) &&
        Object.keys(c).length === 5,
    )
    .map((c) => c.task);
}
