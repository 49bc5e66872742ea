/**
 * Timer schedules with Azure's NCRONTAB rules (issue 11, item 5). The expectations are written
 * from the Functions documentation's words: six fields, seconds first; day-of-week 0-6 with 0
 * Sunday; names or three-letter abbreviations; no `L`, `W`, `#` or `?`; and day-of-month and
 * day-of-week BOTH matching when both are restricted. The expected dates were worked out by
 * walking the calendar day by day with that rule.
 */
import { Cron } from "croner";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.js";
import { TimerTrigger } from "../../src/host/timerTrigger.js";
import { ncrontabSchedule, parseNcrontab } from "../../src/ncrontab.js";

const FROM = new Date("2026-01-01T00:00:00Z");
const next3 = (cron: Cron) => cron.nextRuns(3, FROM).map((d) => d.toISOString());

describe("NCRONTAB schedules", () => {
  it("need both day fields to match when both are restricted (croner's default ORs them)", () => {
    // Friday the 13th: February, March and November in 2026.
    const azure = [
      "2026-02-13T00:00:00.000Z",
      "2026-03-13T00:00:00.000Z",
      "2026-11-13T00:00:00.000Z",
    ];
    expect(next3(ncrontabSchedule("0 0 0 13 * 5"))).toEqual(azure);
    expect(next3(ncrontabSchedule("0 0 0 13 * Fri"))).toEqual(azure);
    // What croner does without being told: every 13th and every Friday.
    expect(next3(new Cron("0 0 0 13 * 5", { mode: "6-part", timezone: "UTC" }))).toEqual([
      "2026-01-02T00:00:00.000Z",
      "2026-01-09T00:00:00.000Z",
      "2026-01-13T00:00:00.000Z",
    ]);
    // The first Monday of each month.
    expect(next3(ncrontabSchedule("0 0 0 1-7 * MONDAY"))).toEqual([
      "2026-01-05T00:00:00.000Z",
      "2026-02-02T00:00:00.000Z",
      "2026-03-02T00:00:00.000Z",
    ]);
  });

  it("read a/n as from a to the field's end, every n (croner refuses it without sloppyRanges)", () => {
    expect(parseNcrontab("5/20 * * * * *")).toEqual({ ok: true, canonical: "5-59/20 * * * * *" });
    expect(next3(ncrontabSchedule("5/20 * * * * *"))).toEqual([
      "2026-01-01T00:00:05.000Z",
      "2026-01-01T00:00:25.000Z",
      "2026-01-01T00:00:45.000Z",
    ]);
  });

  it("accept the documented forms, names in any case", () => {
    for (const ok of [
      "*/30 * * * * *",
      "0 */5 * * * *",
      "0 30 9 * * 1-5",
      "0 0 */2 * * *",
      "0 30 9 * Jan Mon",
      "0 30 9 * january,JULY sunday-saturday",
      "0 0 0 31 12 *",
      "  0 0 12 * * 0,6  ",
    ]) {
      expect(parseNcrontab(ok).ok, ok).toBe(true);
    }
    expect(parseNcrontab("0 30 9 * Jan Mon")).toEqual({ ok: true, canonical: "0 30 9 * 1 1" });
  });

  it("refuse what Azure refuses, and croner would run", () => {
    for (const [bad, why] of [
      ["0 0 0 * * 7", /day-of-week .*7 is out of range \(0-6, 0 is Sunday\)/],
      ["0 0 0 L * *", /day field "L".*not a number/],
      ["0 0 0 ? * MON", /day field "\?"/],
      ["0 0 0 1W * *", /"1W"/],
      ["0 0 0 * * 5#3", /"5#3"/],
      ["0 0 0 * * 5L", /"5L"/],
      ["0 */5 * * *", /6 fields .* not 5/],
      ["0 0 0 * * * 2026", /not 7/],
      ["", /not 0/],
      ["60 * * * * *", /second .*60 is out of range/],
      ["0 0 24 * * *", /hour .*24 is out of range/],
      ["0 0 0 0 * *", /day .*0 is out of range/],
      ["0 0 0 * 13 *", /month .*13 is out of range/],
      ["*/0 * * * * *", /step must be/],
      ["0 0 10-2 * * *", /backwards/],
      ["0 0 0 * Ja *", /"Ja" is not a number or name/],
    ] as const) {
      const parsed = parseNcrontab(bad);
      expect(parsed.ok, bad).toBe(false);
      if (!parsed.ok) expect(parsed.error, bad).toMatch(why);
    }
  });

  it("are checked where they enter: the app settings and the local host's timers", () => {
    expect(() =>
      readConfig({
        DagqStorage: "UseDevelopmentStorage=true",
        DAGQ_ADMISSION_SCHEDULE: "0 0 0 L * *",
      }),
    ).toThrow(/day field "L"[\s\S]*DAGQ_ADMISSION_SCHEDULE/);
    expect(() =>
      readConfig({
        DagqStorage: "UseDevelopmentStorage=true",
        DAGQ_SWEEP_RUNNING_SCHEDULE: "*/30 * * * * 7",
      }),
    ).toThrow(/DAGQ_SWEEP_RUNNING_SCHEDULE/);
    expect(
      () =>
        new TimerTrigger({
          name: "t",
          schedule: "0 0 0 * * 7",
          handler: () => {},
          log: () => {},
        }),
    ).toThrow(/out of range/);
  });
});
