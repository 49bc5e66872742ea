import { describe, expect, it } from "vitest";
import { doctorChecklist } from "../../src/cli/render/doctorChecklist.js";
import { layerView } from "../../src/cli/render/layerView.js";
import { overviewPanel } from "../../src/cli/render/overviewPanel.js";
import type { Paint } from "../../src/cli/render/paint.js";
import { progressLine } from "../../src/cli/render/progressLine.js";
import { RateMeter } from "../../src/cli/render/rateMeter.js";
import { segmentBar } from "../../src/cli/render/segmentBar.js";
import { statusPanel } from "../../src/cli/render/statusPanel.js";
import { summaryReport } from "../../src/cli/render/summaryReport.js";
import { renderTable } from "../../src/cli/render/table.js";
import { taskTable } from "../../src/cli/render/taskTable.js";
import { formatDuration } from "../../src/cli/render/timeFormat.js";
import { workflowTable } from "../../src/cli/render/workflowTable.js";
import type { DoctorReport, TaskCounts, TaskView, WorkflowStatus } from "../../src/client/index.js";

/** What NO_COLOR or a pipe gives: text unchanged. */
const plain: Paint = (_style, text) => text;
/** A visible stand-in for colour, to check that escapes never shift the alignment. */
const tagged: Paint = (style, text) => `<${style}>${text}</>`;

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const zero: TaskCounts = {
  pending: 0,
  ready: 0,
  running: 0,
  completed: 0,
  failed: 0,
  skipped: 0,
  upstream_failed: 0,
  cancelled: 0,
};
const counts = (c: Partial<TaskCounts>): TaskCounts => ({ ...zero, ...c });

const running: WorkflowStatus = {
  id: "mwze39iy-c965643835",
  name: "ml-pipeline",
  status: "running",
  reason: null,
  total: 8,
  counts: counts({ completed: 3, running: 1, ready: 1, pending: 3 }),
  conditionErrors: 0,
  createdAt: T0,
  startedAt: T0 + 1000,
  finishedAt: null,
  updatedAt: T0 + 60_000,
};
const failed: WorkflowStatus = {
  ...running,
  id: "mwzdxmrr-0bec115134",
  name: "nightly-etl",
  status: "failed",
  reason: "1 final task(s) did not succeed",
  counts: counts({ completed: 6, failed: 1, upstream_failed: 1 }),
  finishedAt: T0 + 3_725_000,
};

describe("status panel", () => {
  it("shows a running workflow with its age and counts (ready counted as pending)", () => {
    expect(statusPanel(running, T0 + 66_000, plain)).toBe(
      [
        "workflow  ml-pipeline",
        "id        mwze39iy-c965643835",
        "status    running for 1m 05s",
        "tasks     8: 3 completed, 0 failed, 1 running, 4 pending, 0 skipped",
        "created   2025-06-01 12:00:00 UTC",
        "started   2025-06-01 12:00:01 UTC",
        "finished  -",
        "",
      ].join("\n"),
    );
  });

  it("shows a finished workflow's run time, rarer states and reason", () => {
    expect(statusPanel(failed, T0 + 9e6, plain)).toBe(
      [
        "workflow  nightly-etl",
        "id        mwzdxmrr-0bec115134",
        "status    failed after 1h 02m",
        "tasks     8: 6 completed, 1 failed, 0 running, 0 pending, 0 skipped, 1 upstream_failed",
        "created   2025-06-01 12:00:00 UTC",
        "started   2025-06-01 12:00:01 UTC",
        "finished  2025-06-01 13:02:05 UTC",
        "reason    1 final task(s) did not succeed",
        "",
      ].join("\n"),
    );
  });
});

describe("progress line", () => {
  const rate = { perSecond: 1.25, etaMs: 4000 };

  it("is plain words off a terminal, in run-local's order", () => {
    expect(progressLine(running, rate, { tty: false, paint: plain })).toBe(
      "ml-pipeline: 3/8 done (37%) | 1.3/s | ETA 4.0s | 3 completed, 0 failed, 1 running, 4 pending, 0 skipped",
    );
  });

  it("has a segmented bar on a terminal", () => {
    expect(progressLine(running, rate, { tty: true, paint: plain })).toBe(
      `ml-pipeline ${"█".repeat(11)}${"▒".repeat(4)}${"░".repeat(15)} 37% | 3/8 | 1.3/s | ETA 4.0s | 3 completed, 0 failed, 1 running, 4 pending, 0 skipped`,
    );
  });

  it("says when a workflow waits for admission and nothing is measured yet", () => {
    const pending = { ...running, status: "pending" as const };
    expect(
      progressLine(pending, { perSecond: null, etaMs: null }, { tty: false, paint: plain }),
    ).toBe(
      "ml-pipeline: 3/8 done (37%) | -/s | ETA - | 3 completed, 0 failed, 1 running, 4 pending, 0 skipped | waiting for admission",
    );
  });
});

describe("segment bar", () => {
  it("gives a lone failure among thousands one cell, and fills the width exactly", () => {
    const bar = segmentBar(counts({ completed: 9000, failed: 1, pending: 999 }), 10, plain);
    expect(bar).toBe("████████×░");
  });

  it("colours each segment, skipped and cancelled together", () => {
    const c = counts({ completed: 2, skipped: 1, cancelled: 1, running: 2, ready: 2 });
    expect(segmentBar(c, 8, tagged)).toBe("<green>██</><yellow>▓▓</><cyan>▒▒</><gray>░░</>");
  });
});

describe("layer view", () => {
  it("shows every layer of a shallow DAG, aligned, with what is going on in each", () => {
    const layers = [
      counts({ completed: 1 }),
      counts({ completed: 6, running: 2, pending: 2 }),
      counts({ pending: 10 }),
      counts({ completed: 1, failed: 1, upstream_failed: 100 }),
    ];
    expect(layerView(layers, plain)).toEqual([
      `L0  ${"█".repeat(20)}    1/1`,
      `L1  ${"█".repeat(12)}${"▒".repeat(4)}${"░".repeat(4)}    6/10   2 running`,
      `L2  ${"░".repeat(20)}    0/10`,
      `L3  █${"×".repeat(19)}  102/102  1 failed, 100 upstream_failed`,
    ]);
  });

  it("windows a deep DAG around its first unfinished layer, summing the rest", () => {
    const layers = Array.from({ length: 30 }, (_, k) =>
      k < 20
        ? counts({ completed: 10 })
        : k === 20
          ? counts({ completed: 4, running: 6 })
          : counts({ pending: 10 }),
    );
    expect(layerView(layers, plain, 6)).toEqual([
      `L0-L18   ${"█".repeat(20)}  190/190`,
      `L19      ${"█".repeat(20)}   10/10`,
      `L20      ${"█".repeat(8)}${"▒".repeat(12)}    4/10   6 running`,
      `L21      ${"░".repeat(20)}    0/10`,
      `L22      ${"░".repeat(20)}    0/10`,
      `L23-L29  ${"░".repeat(20)}    0/70`,
    ]);
  });
});

describe("task table", () => {
  const tasks: TaskView[] = [
    {
      name: "prep/download",
      status: "completed",
      attempts: 1,
      output: { dataset: "qm9-mini", rows: 1200 },
      reason: null,
      startedAt: T0,
      finishedAt: T0 + 400,
    },
    {
      name: "train/gnn",
      status: "failed",
      attempts: 2,
      output: null,
      reason: "exit code 3: upstream service unavailable\nretry later",
      startedAt: T0 + 1000,
      finishedAt: T0 + 75_000,
    },
    {
      name: "train/rf",
      status: "running",
      attempts: 1,
      output: null,
      reason: null,
      startedAt: T0 + 1000,
      finishedAt: null,
    },
    {
      name: "report",
      status: "pending",
      attempts: 0,
      output: null,
      reason: null,
      startedAt: null,
      finishedAt: null,
    },
    {
      name: "eval/compare",
      status: "completed",
      attempts: 1,
      output: { scores: Array.from({ length: 20 }, (_, i) => i / 10) },
      reason: null,
      startedAt: T0,
      finishedAt: T0 + 12_000,
    },
  ];

  it("lists tasks with run time (a running one's so far), the reason's whole first line, or the output cut short", () => {
    expect(taskTable(tasks, T0 + 20_000, plain)).toBe(
      [
        "NAME           STATUS     ATTEMPTS    TIME  REASON / OUTPUT",
        'prep/download  completed         1    0.4s  {"dataset":"qm9-mini","rows":1200}',
        "train/gnn      failed            2  1m 14s  exit code 3: upstream service unavailable …",
        "train/rf       running           1     19s",
        "report         pending           0       -",
        'eval/compare   completed         1     12s  {"scores":[0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1,1.1,1.2,…',
        "",
      ].join("\n"),
    );
  });

  it("pads by the plain text when cells are coloured", () => {
    const out = renderTable(
      [
        { header: "NAME" },
        { header: "STATUS", style: (c) => (c === "failed" ? "red" : undefined) },
        { header: "N", align: "right" },
      ],
      [
        ["a", "failed", "1"],
        ["bbbbbb", "ok", "10"],
      ],
      tagged,
    );
    expect(out).toBe(
      [
        "<bold>NAME</>    <bold>STATUS</>   <bold>N</>",
        "a       <red>failed</>   1",
        "bbbbbb  ok      10",
        "",
      ].join("\n"),
    );
  });
});

describe("workflow table and summary", () => {
  it("lists workflows with progress, failures and age", () => {
    const older = { ...failed, createdAt: T0 - 3_600_000 };
    expect(workflowTable([running, older], T0 + 66_000, plain)).toBe(
      [
        "ID                   NAME         STATUS   DONE  FAILED  CREATED",
        "mwze39iy-c965643835  ml-pipeline  running   3/8       0  1m 06s ago",
        "mwzdxmrr-0bec115134  nightly-etl  failed    8/8       2  1h 01m ago",
        "",
      ].join("\n"),
    );
  });

  it("sums workflows by state and the running ones' tasks", () => {
    const overview = {
      workflows: { pending: 1, running: 2, completed: 10, failed: 1, cancelled: 0 },
      runningTasks: counts({ completed: 120, running: 8, ready: 20, pending: 380 }),
    };
    expect(overviewPanel(overview, plain)).toBe(
      "workflows  14: 1 pending, 2 running, 10 completed, 1 failed, 0 cancelled\n" +
        "tasks      528 in 2 running workflows: 120 completed, 0 failed, 8 running, 400 pending, 0 skipped\n",
    );
  });
});

describe("doctor checklist", () => {
  it("marks each check, lists what is stuck, shows queue depths and a warn verdict", () => {
    const report: DoctorReport = {
      verdict: "warn",
      checks: [
        { name: "api", verdict: "ok", detail: "answered in 12 ms" },
        { name: "blob", verdict: "ok", detail: "reachable in 3 ms" },
        { name: "poison queues", verdict: "warn", detail: "dagq-completions-poison: 2" },
        { name: "stuck workflows", verdict: "warn", detail: "1 workflow(s)" },
        { name: "stale running tasks", verdict: "ok", detail: "none" },
      ],
      queues: [
        { name: "dagq-completions", depth: 0 },
        { name: "dagq-completions-poison", depth: 2 },
        { name: "dagq-tasks-default", depth: 130 },
      ],
      stuck: [{ id: "mwze39iy-c965643835", why: "a sweep was due 400 s ago" }],
      staleTasks: [],
    };
    expect(doctorChecklist(report, "http://127.0.0.1:7071", plain)).toBe(
      [
        "dagq doctor: http://127.0.0.1:7071",
        "  [ok]   api                  answered in 12 ms",
        "  [ok]   blob                 reachable in 3 ms",
        "  [warn] poison queues        dagq-completions-poison: 2",
        "  [warn] stuck workflows      1 workflow(s)",
        "           mwze39iy-c965643835: a sweep was due 400 s ago",
        "  [ok]   stale running tasks  none",
        "queues",
        "  dagq-completions           0",
        "  dagq-completions-poison    2",
        "  dagq-tasks-default       130",
        "verdict: warn: dagq works; look at poison queues, stuck workflows",
        "",
      ].join("\n"),
    );
  });

  it("names what failed in a fail verdict", () => {
    const report: DoctorReport = {
      verdict: "fail",
      checks: [{ name: "api", verdict: "fail", detail: "cannot reach dagq at http://x:1" }],
      queues: [],
      stuck: [],
      staleTasks: [],
    };
    expect(doctorChecklist(report, "http://x:1", plain)).toBe(
      "dagq doctor: http://x:1\n" +
        "  [FAIL] api  cannot reach dagq at http://x:1\n" +
        "verdict: FAIL: api failed; dagq cannot work until that is fixed\n",
    );
  });
});

describe("rate meter", () => {
  it("averages over the whole watch, so bursty arrivals give a steady rate and ETA", () => {
    const meter = new RateMeter();
    // 400 tasks; completions arrive in bursts of 100 every other second.
    expect(meter.sample(0, 400, 10_000)).toEqual({ perSecond: null, etaMs: null });
    expect(meter.sample(0, 400, 11_000)).toEqual({ perSecond: 0, etaMs: null });
    expect(meter.sample(100, 400, 12_000)).toEqual({ perSecond: 50, etaMs: 6000 });
    expect(meter.sample(100, 400, 13_000)).toEqual({ perSecond: 100 / 3, etaMs: 9000 });
    expect(meter.sample(200, 400, 14_000)).toEqual({ perSecond: 50, etaMs: 4000 });
    expect(meter.sample(400, 400, 16_000)).toEqual({ perSecond: 400 / 6, etaMs: 0 });
  });

  it("counts from what was already done when the watch started", () => {
    const meter = new RateMeter();
    meter.sample(5000, 10_000, 0);
    expect(meter.sample(5100, 10_000, 2000)).toEqual({ perSecond: 50, etaMs: 98_000 });
  });
});

describe("durations", () => {
  it("uses two units at most", () => {
    expect([0, 400, 9_950, 42_000, 65_000, 3_725_000, 90_000_000].map(formatDuration)).toEqual([
      "0.0s",
      "0.4s",
      "9.9s",
      "42s",
      "1m 05s",
      "1h 02m",
      "1d 01h",
    ]);
  });
});

describe("condition errors are counted apart from false conditions", () => {
  it("the status panel says how many skips were condition errors", () => {
    const s = { ...failed, counts: counts({ completed: 5, skipped: 3 }), conditionErrors: 2 };
    expect(statusPanel(s, T0 + 9e6, plain)).toContain(
      "tasks     8: 5 completed, 0 failed, 0 running, 0 pending, 3 skipped (2 by condition errors)",
    );
  });

  it("run-local's and dev's summary lists condition errors first, labelled", () => {
    const text = summaryReport(
      "w",
      {
        id: "x",
        status: "completed",
        tasks: {
          a: { status: "completed", attempts: 1, output: null },
          b: { status: "skipped", attempts: 0, output: null, reason: "condition is false: x" },
          c: {
            status: "skipped",
            attempts: 0,
            output: null,
            reason: 'condition could not be evaluated: inputs.a has no field "scor"',
          },
        },
      },
      1000,
      plain,
    );
    expect(text.split("\n").slice(1, 4)).toEqual([
      "  3 tasks: 1 completed, 2 skipped (1 by condition errors)",
      '  skipped (condition error) c: condition could not be evaluated: inputs.a has no field "scor"',
      "  skipped b: condition is false: x",
    ]);
  });
});
