import { PassThrough } from "node:stream";
import { stripVTControlCharacters, styleText } from "node:util";
import { describe, expect, it } from "vitest";
import type { Paint } from "../../src/cli/render/paint.js";
import { createProgress } from "../../src/cli/render/progress.js";
import { progressLine, visibleWidth } from "../../src/cli/render/progressLine.js";
import type { TaskCounts } from "../../src/client/index.js";
import type { Summary } from "../../src/core/index.js";

const colour: Paint = (style, text) => styleText(style, text, { validateStream: false });
const counts = (c: Partial<TaskCounts>): TaskCounts => ({
  pending: 0,
  ready: 0,
  running: 0,
  completed: 0,
  failed: 0,
  skipped: 0,
  upstream_failed: 0,
  cancelled: 0,
  ...c,
});

/** A status whose full line is far wider than 80 columns: every count non-zero and large. */
const busy = {
  name: "nightly-etl-with-a-rather-long-name-indeed",
  status: "running" as const,
  total: 123_456,
  conditionErrors: 0,
  counts: counts({
    completed: 45_678,
    failed: 1_234,
    running: 64,
    pending: 70_000,
    ready: 480,
    skipped: 3_000,
    upstream_failed: 2_000,
    cancelled: 1_000,
  }),
};
const rate = { perSecond: 123.4, etaMs: 600_000 };

describe("the progress line fits the terminal", () => {
  for (const columns of [80, 120]) {
    it(`at ${columns} columns: one column spare, every count shown, the failed count included`, () => {
      const line = progressLine(busy, rate, { tty: true, paint: colour, columns });
      for (const l of line.split("\n")) expect(visibleWidth(l)).toBeLessThanOrEqual(columns - 1);
      const plain = stripVTControlCharacters(line);
      for (const n of [
        "45678",
        "1234 failed",
        "64 running",
        "70480 pending",
        "3000 skipped",
        "2000 upstream",
        "1000 cancelled",
      ])
        expect(plain).toContain(n);
    });
  }

  it("drops the less important parts first, the counts last and never", () => {
    const small = {
      ...busy,
      name: "etl",
      total: 10,
      counts: counts({ completed: 3, failed: 1, pending: 6 }),
    };
    const at = (columns: number) =>
      progressLine(small, rate, { tty: true, paint: (_s, t) => t, columns });
    expect(at(200)).toBe(
      `etl ${"█".repeat(9)}${"×".repeat(3)}${"░".repeat(18)} 40% | 4/10 | 123.4/s | ETA 10m 00s | 3 completed, 1 failed, 0 running, 6 pending, 0 skipped`,
    );
    expect(at(120)).toBe(
      "etl ████×░░░░░░░ 40% | 4/10 | 123.4/s | ETA 10m 00s | 3 completed, 1 failed, 0 running, 6 pending, 0 skipped",
    );
    expect(at(80)).toBe(
      "etl ████×░░░░░░░ 4/10 | 3 completed, 1 failed, 0 running, 6 pending, 0 skipped",
    );
    expect(at(60)).toBe("etl 4/10 | 3 done, 1 failed, 6 pending");
    // Too many states for one line of 80: the counts wrap below, whole.
    expect(
      progressLine(busy, rate, { tty: true, paint: (_s, t) => t, columns: 80 }).split("\n"),
    ).toEqual([
      "nightly-etl-with-a-rather-long-… 52912/123456",
      "  45678 done, 1234 failed, 64 running, 70480 pending, 3000 skipped,",
      "  2000 upstream, 1000 cancelled",
    ]);
  });
});

/** A stream that looks like a terminal of `columns` columns and records what is written. */
function fakeTerminal(columns: number) {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & { isTTY: boolean };
  stream.isTTY = true;
  (stream as { columns: number }).columns = columns;
  let out = "";
  (stream as unknown as PassThrough).on("data", (c: Buffer) => {
    out += c.toString("utf8");
  });
  return { stream, out: () => out };
}

const summary = (c: Partial<TaskCounts>, total: number): Summary => ({
  id: "x",
  name: "wf",
  status: "running",
  total,
  counts: counts(c),
  conditionErrors: 0,
  createdAt: 0,
  startedAt: 0,
  finishedAt: null,
  reason: null,
});

describe("run-local and dev draw the same segments as watch", () => {
  it("a failing run shows a red failed segment, not a solid bar", async () => {
    const t = fakeTerminal(100);
    const p = createProgress(t.stream, "wf", 10, colour);
    p.start(Date.now());
    p.update(summary({ completed: 5, failed: 3, pending: 2 }, 10));
    p.stop();
    await new Promise((r) => setImmediate(r));
    expect(t.out()).toContain("\x1b[31m×");
    expect(t.out()).toContain("\x1b[32m█");
    const last = t
      .out()
      .split("\n")
      .filter((l) => l.includes("completed"))
      .at(-1)!;
    expect(visibleWidth(last)).toBeLessThanOrEqual(99);
  });

  it("draws nothing before the clock starts (dev: at submission, not while Azurite starts)", async () => {
    const t = fakeTerminal(200);
    const p = createProgress(t.stream, "wf", 10, colour);
    p.update(summary({ pending: 10 }, 10));
    await new Promise((r) => setImmediate(r));
    expect(t.out()).toBe("");
    await new Promise((r) => setTimeout(r, 300));
    // Submitted 100 ms ago: 10 tasks since then is 100/s; counted from creation it would be 25/s.
    p.start(Date.now() - 100);
    p.update(summary({ completed: 10 }, 10));
    p.stop();
    await new Promise((r) => setImmediate(r));
    const rates = [...stripVTControlCharacters(t.out()).matchAll(/\| ([\d.]+)\/s \|/g)];
    const rate = Number(rates.at(-1)?.[1]);
    expect(rate).toBeGreaterThan(50);
  });
});
