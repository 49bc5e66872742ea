import type { Timer } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { TimerTrigger } from "../../src/host/timerTrigger.js";
import { StatsTelemetry } from "../../src/observability/telemetry.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Concurrent: each test waits on the wall clock for whole seconds, and they share nothing.
describe.concurrent("timer trigger", () => {
  it("fires on a 6-field NCRONTAB schedule, on the second, with schedule status", async () => {
    const ticks: Array<{ at: number; timer: Timer; fn: string }> = [];
    const t = new TimerTrigger({
      name: "everySecond",
      schedule: "* * * * * *",
      handler: (timer, context) =>
        void ticks.push({ at: Date.now(), timer, fn: context.functionName }),
      log: () => {},
    });
    t.start();
    await sleep(2600);
    await t.stop();
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks.length).toBeLessThanOrEqual(3);
    for (const { at, timer, fn } of ticks) {
      expect(fn).toBe("everySecond");
      expect(at % 1000).toBeLessThan(200); // just after a whole second
      expect(timer.isPastDue).toBe(false);
      const next = Date.parse(timer.scheduleStatus.next);
      expect(next - Date.parse(timer.scheduleStatus.lastUpdated)).toBeLessThanOrEqual(1000);
    }
    const count = ticks.length;
    await sleep(1200);
    expect(ticks.length).toBe(count); // stopped means stopped
  });

  it("keeps ticking after a run throws, and logs and counts each failure", async () => {
    let calls = 0;
    const logs: string[] = [];
    const stats = new StatsTelemetry();
    const t = new TimerTrigger({
      name: "broken",
      schedule: "* * * * * *",
      handler: async () => {
        calls++;
        throw new Error(`sweep failed #${calls}`);
      },
      log: (level, message) => logs.push(`${level} ${message}`),
      stats,
    });
    t.start();
    await sleep(2600);
    await t.stop();
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(stats.counter("host.timer.failures")).toBe(calls);
    expect(logs[0]).toMatch(/^error \[broken\] failed: Error: sweep failed #1/);
    expect(logs.filter((l) => l.startsWith("error [broken]"))).toHaveLength(calls);
  });

  it("waits for a run in progress on stop", async () => {
    let finished = false;
    const t = new TimerTrigger({
      name: "slow",
      schedule: "* * * * * *",
      handler: async () => {
        await sleep(400);
        finished = true;
      },
      log: () => {},
    });
    t.start();
    await sleep(1100); // the first tick has started by now
    await t.stop();
    expect(finished).toBe(true);
  });

  it("refuses a 5-field (classic cron) schedule: NCRONTAB starts with seconds", () => {
    const make = () =>
      new TimerTrigger({ name: "x", schedule: "*/5 * * * *", handler: () => {}, log: () => {} });
    expect(make).toThrow(/an NCRONTAB expression has 6 fields .*not 5/);
  });

  it("abandons a run past functionTimeout, counts it failed, and keeps ticking", async () => {
    let calls = 0;
    const logs: string[] = [];
    const stats = new StatsTelemetry();
    const t = new TimerTrigger({
      name: "slowSweep",
      schedule: "* * * * * *",
      functionTimeoutMs: 200,
      handler: async () => {
        calls++;
        if (calls === 1) await sleep(5000); // far past the timeout
      },
      log: (level, message) => logs.push(`${level} ${message}`),
      stats,
    });
    t.start();
    await sleep(2600);
    await t.stop();
    expect(calls).toBeGreaterThanOrEqual(2); // the stuck first run did not hold the timer up
    expect(stats.counter("host.timer.failures")).toBe(1);
    expect(
      logs.some((l) => /^error \[slowSweep\] timeout value of 00:00:00\.200 exceeded/.test(l)),
    ).toBe(true);
  });
});
