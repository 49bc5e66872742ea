/**
 * The chaos run's judge (scripts/chaos/verdict.ts), on hand-made outcomes: each kind of damage
 * must be caught, and a clean run with crash-caused extra executions must pass.
 */
import { describe, expect, it } from "vitest";
import { chaosWorkflow } from "../../scripts/chaos/chaosWorkflow.js";
import type { ExecutionLog } from "../../scripts/chaos/executionLog.js";
import { type FinalWorkflow, verdict } from "../../scripts/chaos/verdict.js";
import type { TaskView } from "../../src/client/index.js";
import type { LocalResult } from "../../src/local/localResult.js";

const def = {
  name: "t",
  defaults: { retry_backoff_s: 0 },
  tasks: [
    { name: "a", command: "x" },
    { name: "b", command: "x", depends_on: ["a"], num_retries: 1 },
  ],
};
const out = (task: string, attempt: number, pid: number, seen = "") => ({
  task,
  attempt,
  v: 1,
  prov: { pid, seen },
});
const expected: LocalResult = {
  id: "local",
  status: "completed",
  tasks: {
    a: { status: "completed", attempts: 1, output: out("a", 1, 1) },
    b: { status: "completed", attempts: 2, output: out("b", 2, 2, "1 ") },
  },
};
const view = (name: string, status: TaskView["status"], attempts: number, output: unknown) =>
  ({ name, status, attempts, output, reason: null, startedAt: null, finishedAt: null }) as TaskView;

function logOf(lines: Array<[string, number, number]>): ExecutionLog {
  const byTask = new Map<string, Array<{ attempt: number; pid: number }>>();
  for (const [task, attempt, pid] of lines) {
    const key = `wf ${task}`;
    byTask.set(key, [...(byTask.get(key) ?? []), { attempt, pid }]);
  }
  return { byTask, lines: lines.length, malformed: 0 };
}

const cleanLog = logOf([
  ["a", 1, 10],
  ["b", 1, 20],
  ["b", 2, 21],
  ["b", 2, 22], // attempt 2 ran twice (a crash): a duplicate, not damage
]);
const clean: FinalWorkflow = {
  id: "wf",
  status: "completed",
  tasks: [
    view("a", "completed", 1, out("a", 1, 10)),
    view("b", "completed", 2, out("b", 2, 22, "10 ")),
  ],
};

describe("the chaos verdict", () => {
  it("passes a run equal to run-local, counting repeated executions apart", () => {
    const v = verdict(def, expected, [clean], cleanLog);
    expect(v).toMatchObject({ lost: [], doubleApplied: [], stateDiffs: [], staleInputs: [] });
    expect(v.duplicates).toBe(1);
    expect(v.tasks).toBe(2);
  });

  it("counts a task that never finished, or that the log never shows running, as lost", () => {
    const stuck = {
      ...clean,
      status: "running",
      tasks: [clean.tasks[0]!, view("b", "ready", 2, null)],
    };
    const v = verdict(def, expected, [stuck], cleanLog);
    expect(v.lost.map((f) => `${f.task}: ${f.why}`)).toEqual(["b: still ready"]);
    expect(v.stateDiffs.map((f) => f.task)).toEqual(["(workflow)", "b"]);
    const unlogged = verdict(def, expected, [clean], logOf([["b", 2, 22]]));
    expect(unlogged.lost.map((f) => f.task)).toEqual(["a"]);
  });

  it("catches an attempt counted twice and an output kept from another run or attempt", () => {
    const counted = {
      ...clean,
      tasks: [clean.tasks[0]!, view("b", "completed", 3, out("b", 3, 22))],
    };
    expect(verdict(def, expected, [counted], cleanLog).doubleApplied.map((f) => f.why)).toEqual([
      "3 attempts counted, the log shows 2 started",
      "kept an output of pid 22, which never ran attempt 3",
    ]);
    const foreign = {
      ...clean,
      tasks: [view("a", "completed", 1, out("a", 1, 99)), clean.tasks[1]!],
    };
    expect(verdict(def, expected, [foreign], cleanLog).doubleApplied.map((f) => f.why)).toEqual([
      "kept an output of pid 99, which never ran attempt 1",
    ]);
    const older = {
      ...clean,
      tasks: [clean.tasks[0]!, view("b", "completed", 2, out("b", 1, 20))],
    };
    expect(verdict(def, expected, [older], cleanLog).doubleApplied.map((f) => f.why)).toEqual([
      "kept the output of attempt 1 as attempt 2",
    ]);
  });

  it("reports a differing output apart from provenance, and a child that saw another parent output", () => {
    const differs = {
      ...clean,
      tasks: [
        view("a", "completed", 1, { ...out("a", 1, 10), v: 2 }),
        view("b", "completed", 2, out("b", 2, 22, "11 ")),
      ],
    };
    const v = verdict(def, expected, [differs], cleanLog);
    expect(v.stateDiffs.map((f) => f.task)).toEqual(["a"]);
    expect(v.staleInputs.map((f) => f.why)).toEqual(["saw parent pids [11], the state kept [10]"]);
  });

  it("builds a workflow of exactly the size asked for, with every kind of step", () => {
    for (const size of [9, 20, 150, 2001]) {
      const real = chaosWorkflow(size);
      expect(real.tasks).toHaveLength(size);
      const seen = new Set<string>();
      for (const t of real.tasks) {
        for (const d of t.depends_on ?? []) expect(seen.has(d)).toBe(true);
        seen.add(t.name);
      }
      expect(seen.size).toBe(size);
      expect(real.tasks.some((t) => t.dep_policy === "any")).toBe(true);
      expect(real.tasks.some((t) => t.condition !== undefined)).toBe(true);
      expect(real.tasks.some((t) => (t.num_retries ?? 0) > 0)).toBe(true);
    }
    expect(() => chaosWorkflow(8)).toThrow("at least 9 tasks");
  });
});
