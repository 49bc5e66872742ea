/**
 * The small chaos run of `npm test` (the big one is `npm run chaos`, opt-in): two workflows of
 * 150 tasks through a `dagq host` and three `dagq worker` processes (the built CLI, so
 * `npm run build` first) over Azurite on disk, with one host SIGKILL, one worker SIGKILL and one
 * storage restart at random moments. A new seed each run; a failure prints it with the report.
 */
import { describe, expect, it } from "vitest";
import { chaosReport } from "../../scripts/chaos/report.js";
import { DEFAULT_OPTIONS, runChaos } from "../../scripts/chaos/runChaos.js";

describe("a chaos run: host, worker and storage killed once each", () => {
  it("loses no task, applies no report twice, and ends every task as run-local does", async () => {
    const lines: string[] = [];
    const result = await runChaos({
      ...DEFAULT_OPTIONS,
      tasks: 150,
      workflows: 2,
      kills: { host: 1, worker: 1, storage: 1 },
      seed: Math.floor(Math.random() * 1_000_000),
      stallLimitS: 60,
      log: (line) => lines.push(line),
    });
    const report = `${lines.join("\n")}\n${chaosReport(result)}`;
    expect(result.verdict.lost, report).toEqual([]);
    expect(result.verdict.doubleApplied, report).toEqual([]);
    expect(result.verdict.stateDiffs, report).toEqual([]);
    expect(result.kills.map((k) => k.kind).sort(), report).toEqual(["host", "storage", "worker"]);
    expect(result.ok, report).toBe(true);
  }, 240_000);
});
