import { describe, expect, it } from "vitest";
import { logLines } from "../../src/cli/render/logLines.js";
import type { Paint } from "../../src/cli/render/paint.js";
import { progressLine } from "../../src/cli/render/progressLine.js";
import { safeJson } from "../../src/cli/render/safeText.js";
import { statusPanel } from "../../src/cli/render/statusPanel.js";
import { summaryReport } from "../../src/cli/render/summaryReport.js";
import { taskTable } from "../../src/cli/render/taskTable.js";
import { workerTable } from "../../src/cli/render/workerTable.js";
import { workflowTable } from "../../src/cli/render/workflowTable.js";
import type { TaskCounts, TaskView, WorkflowStatus } from "../../src/client/index.js";

const plain: Paint = (_s, t) => t;
/**
 * What a terminal obeys, from ECMA-48: the C0 controls but newline, DEL, and the C1 controls
 * (U+0080–U+009F, where U+009B is a CSI and U+009D an OSC on their own).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: what the test looks for
const OBEYED = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

const ESC = "\u001b";
const hostile = [
  `${ESC}[2J${ESC}[H`, // clear the screen, cursor home
  `${ESC}]0;owned\u0007`, // retitle the window (OSC … BEL)
  `${ESC}]8;;http://evil.example\u001b\\click${ESC}]8;;${ESC}\\`, // a hyperlink
  "\u009b31mred by 8-bit CSI",
  "back\bspace\rover",
].join(" ");

const counts: TaskCounts = {
  pending: 0,
  ready: 0,
  running: 0,
  completed: 1,
  failed: 1,
  skipped: 0,
  upstream_failed: 0,
  cancelled: 0,
};
const status: WorkflowStatus = {
  id: "mwzdv4el-f00c3277ea",
  name: `etl ${hostile}`,
  status: "failed",
  reason: `first ${hostile}\nsecond ${hostile}`,
  total: 2,
  counts,
  conditionErrors: 0,
  createdAt: 0,
  startedAt: 0,
  finishedAt: 1000,
  updatedAt: 1000,
};
const task: TaskView = {
  name: "a",
  status: "failed",
  attempts: 1,
  reason: `exit code 3: ${hostile}\nmore ${hostile}`,
  output: null,
  startedAt: 0,
  finishedAt: 10,
} as TaskView;

describe("what came from a user or a task cannot drive the terminal", () => {
  const shown: Array<[string, string]> = [
    ["dagq list", workflowTable([status], 5000, plain)],
    ["dagq status", statusPanel(status, 5000, plain)],
    ["dagq status --full", statusPanel(status, 5000, plain, { full: true })],
    ["dagq tasks", taskTable([task], 5000, plain)],
    ["dagq tasks --full", taskTable([task], 5000, plain, { full: true })],
    [
      "an output in dagq tasks",
      taskTable(
        [{ ...task, reason: null, output: { x: `\u009b2J${hostile}` } } as TaskView],
        0,
        plain,
      ),
    ],
    [
      "progress",
      progressLine(status, { perSecond: 1, etaMs: 0 }, { tty: true, paint: plain, columns: 300 }),
    ],
    [
      "progress, plain",
      progressLine(status, { perSecond: 1, etaMs: 0 }, { tty: false, paint: plain }),
    ],
    [
      "run-local's summary",
      summaryReport(
        status.name,
        {
          id: "x",
          status: "failed",
          tasks: { a: { status: "failed", attempts: 1, reason: task.reason!, output: null } },
        },
        10,
        plain,
      ),
    ],
    [
      "dagq logs on a terminal",
      logLines(`2026-01-01T00:00:00.000Z O ${hostile}\n`, {
        stderrOnly: false,
        timestamps: false,
        safe: true,
      }),
    ],
    [
      "dagq workers",
      workerTable(
        [
          {
            id: `w ${hostile}`,
            host: "h",
            pid: 1,
            queues: ["default"],
            concurrency: 1,
            running: 0,
            version: hostile,
            startedAt: 0,
            lastSeen: 0,
            heartbeatS: 10,
            stoppedAt: 0,
            live: true,
          },
        ],
        1000,
        plain,
      ),
    ],
    ["--json", safeJson({ output: `\u009b2J${hostile}` })],
  ];
  for (const [what, text] of shown) {
    it(`${what}: no control character but newline`, () => {
      expect(text).not.toMatch(OBEYED);
      expect(text).toContain("owned"); // replaced, not dropped with the text around it
    });
  }

  it("--json still says the same value", () => {
    const value = { output: `\u009b2J${hostile}`, "\u0085key": 1 };
    expect(JSON.parse(safeJson(value))).toEqual(value);
  });

  it("dagq logs off a terminal gives the task's bytes back as they were", () => {
    const line = `2026-01-01T00:00:00.000Z E ${hostile}\n`;
    expect(logLines(line, { stderrOnly: true, timestamps: false, safe: false })).toBe(
      `${hostile}\n`,
    );
    expect(logLines(line, { stderrOnly: false, timestamps: true, safe: false })).toBe(line);
    expect(
      logLines(line.replace(" E ", " O "), { stderrOnly: true, timestamps: false, safe: false }),
    ).toBe("");
  });

  it("reasons: the whole first line by default, every line with --full", () => {
    const long = "x".repeat(200);
    const t = { ...task, reason: `exit code 3: ${long}\nsecond line\nthird line` } as TaskView;
    const table = taskTable([t], 0, plain);
    expect(table).toContain(`exit code 3: ${long} …`);
    expect(table).not.toContain("second line");
    const full = taskTable([t], 0, plain, { full: true });
    expect(full).toContain(`exit code 3: ${long}\n    second line\n    third line\n`);
  });
});

describe("a cancelled run's summary", () => {
  it("says the cancel reason once for all the tasks it cancelled", () => {
    const tasks = Object.fromEntries([
      [
        "broken",
        { status: "failed" as const, attempts: 1, reason: "exit code 1: no", output: null },
      ],
      ...Array.from({ length: 20 }, (_, k) => [
        `t${k}`,
        {
          status: "cancelled" as const,
          attempts: 1,
          reason: "interrupted by Ctrl-C",
          output: null,
        },
      ]),
    ]);
    const report = summaryReport("wf", { id: "x", status: "cancelled", tasks }, 1000, plain);
    expect(report.split("\n").filter((l) => l.includes("interrupted by Ctrl-C"))).toEqual([
      "  cancelled t0, t1, t2, … (20 tasks): interrupted by Ctrl-C",
    ]);
    expect(report).toContain("  failed broken: exit code 1: no");
  });
});
