import { describe, expect, it } from "vitest";
import { AttemptLog, type LogTarget, utf8Boundary } from "../../src/worker/attemptLog.js";

/** A target that records each append, as an append blob would hold them. */
function recorder() {
  const appends: Buffer[] = [];
  const target: LogTarget = {
    append: async (data) => {
      appends.push(Buffer.from(data));
    },
  };
  return { appends, target, text: () => Buffer.concat(appends).toString("utf8") };
}

const limits = { headBytes: 1024, tailBytes: 1024, flushBytes: 64 * 1024, flushMs: 10_000 };
const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ([OE-]) (.*)$/;

describe("an attempt's log", () => {
  it("interleaves stdout and stderr a line each, with the time and the stream", async () => {
    const r = recorder();
    const log = new AttemptLog(r.target, limits);
    log.write("stdout", Buffer.from("one\ntw"));
    log.write("stderr", Buffer.from("oops\n"));
    log.write("stdout", Buffer.from("o\nthree"));
    const summary = await log.close();
    const lines = r.text().trimEnd().split("\n");
    expect(lines.map((l) => LINE.exec(l)?.slice(1))).toEqual([
      ["O", "one"],
      ["E", "oops"],
      ["O", "two"],
      ["O", "three"],
    ]);
    expect(summary).toMatchObject({ written: true, dropped: 0 });
  });

  it("a task that prints nothing writes nothing: the target is never touched", async () => {
    let calls = 0;
    const log = new AttemptLog({ append: async () => void calls++ }, limits);
    expect(await log.close()).toEqual({ bytes: 0, dropped: 0, written: false });
    expect(calls).toBe(0);
  });

  it("flushes while the task runs: at flushBytes, and after flushMs", async () => {
    const r = recorder();
    const log = new AttemptLog(r.target, { ...limits, flushBytes: 200, flushMs: 50 });
    log.write("stdout", Buffer.from("short line\n"));
    await new Promise((res) => setTimeout(res, 120));
    expect(r.text()).toMatch(/ O short line\n$/); // by time, before close
    for (let k = 0; k < 10; k++) log.write("stdout", Buffer.from(`${"x".repeat(40)}\n`));
    await new Promise((res) => setImmediate(res));
    expect(r.appends.length).toBeGreaterThanOrEqual(2); // by size, before close
    await log.close();
  });

  it("keeps the first and the last bytes of a long log and says how much was dropped", async () => {
    const r = recorder();
    const log = new AttemptLog(r.target, { ...limits, headBytes: 2000, tailBytes: 1000 });
    const n = 1000;
    for (let k = 0; k < n; k++) log.write(k % 2 ? "stderr" : "stdout", Buffer.from(`line ${k}\n`));
    const summary = await log.close();
    const text = r.text();
    const bodies = text
      .trimEnd()
      .split("\n")
      .map((l) => LINE.exec(l)![2]!);
    // From the docs' words: the first lines as they came, a line saying how much was dropped,
    // then the last lines, in order, up to the limits.
    expect(bodies[0]).toBe("line 0");
    expect(bodies.at(-1)).toBe(`line ${n - 1}`);
    const note = bodies.findIndex((b) => b.startsWith("[dagq:"));
    expect(bodies[note]).toMatch(
      /^\[dagq: (\d+) bytes of output dropped here; the first 2000 and the last \d+ are kept\]$/,
    );
    const dropped = Number(/(\d+) bytes/.exec(bodies[note]!)![1]);
    expect(dropped).toBe(summary.dropped);
    const kept = Buffer.byteLength(text) - Buffer.byteLength(`${text.split("\n")[note]}\n`);
    expect(kept + dropped).toBe(summary.bytes);
    expect(kept).toBeLessThanOrEqual(3000);
    expect(kept).toBeGreaterThan(2500);
    const numbers = bodies.filter((_, k) => k !== note).map((b) => Number(b.slice(5)));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(numbers.at(-1)! - numbers[note]!).toBe(numbers.length - note - 1);
  });

  it("cuts a line that never ends, never inside a character", async () => {
    const r = recorder();
    const log = new AttemptLog(r.target, { ...limits, flushBytes: 100, headBytes: 10_000 });
    log.write("stdout", Buffer.from("é".repeat(200))); // 400 bytes, no newline
    await log.close();
    for (const a of r.appends) expect(a.toString("utf8")).not.toContain("\uFFFD");
    expect(utf8Boundary(Buffer.from("aé"), 2)).toBe(1);
  });

  it("a failed write ends logging with a warning, never the task", async () => {
    const warnings: string[] = [];
    const log = new AttemptLog(
      { append: async () => Promise.reject(new Error("storage down")) },
      limits,
      (w) => warnings.push(w),
    );
    log.write("stdout", Buffer.from("x\n"));
    await expect(log.close()).resolves.toMatchObject({ written: false });
    expect(warnings).toEqual(["the task's log could not be written: Error: storage down"]);
  });
});
