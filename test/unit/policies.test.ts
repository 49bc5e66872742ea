import { describe, expect, it } from "vitest";
import { compileDefinition, DagqError, summarize } from "../../src/core/index.js";
import { verifyCounters } from "../../src/core/summary.js";
import { dag, Harness, statuses, statusOf } from "./fixtures.js";

/** Issue 8's reproduction: B skipped by its condition, C failed, D/E merge them. */
function mixed() {
  return dag({
    A: [],
    B: { deps: ["A"], condition: "inputs.A.go == true" },
    C: ["A"],
    D: { deps: ["B", "C"], policy: "any" },
    E: { deps: ["B", "C"], policy: 1 },
  });
}

describe("a skipped parent plus a failed one", () => {
  it("makes any/N merges upstream_failed and the workflow failed, whichever parent ends first", () => {
    for (const order of [
      ["B", "C"],
      ["C", "B"],
    ]) {
      const h = new Harness(mixed());
      h.complete("A", { go: false });
      // B is skipped by its condition as soon as A completes; C is dispatched.
      expect(statusOf(h.run, "B")).toBe("skipped");
      if (order[0] === "C") h.fail("C");
      else h.fail("C");
      expect(statuses(h.run)).toMatchObject({ D: "upstream_failed", E: "upstream_failed" });
      expect(h.reason("D")).toContain('"C" failed');
      expect(h.reason("D")).toContain("1 were skipped");
      expect(h.run.wf.status).toBe("failed");
      expect(verifyCounters(h.run)).toEqual([]);
    }
  });

  it("an integer policy: completed, skipped and failed parents that cannot reach N", () => {
    const h = new Harness(
      dag({
        a: [],
        s: { deps: ["a"], condition: "inputs.a.go == true" },
        f: [],
        ok: [],
        m: { deps: ["s", "f", "ok"], policy: 2 },
      }),
    );
    h.complete("ok");
    h.complete("a", { go: false });
    expect(statusOf(h.run, "m")).toBe("pending");
    h.fail("f");
    expect(statusOf(h.run, "m")).toBe("upstream_failed");
  });

  it("stays skipped when only skips make the policy unmeetable, once every parent has ended", () => {
    const h = new Harness(
      dag({
        a: [],
        s: { deps: ["a"], condition: "inputs.a.go == true" },
        late: [],
        m: { deps: ["s", "late"] },
      }),
    );
    h.complete("a", { go: false });
    // `late` could still fail: deciding skipped now would depend on the order.
    expect(statusOf(h.run, "m")).toBe("pending");
    h.complete("late");
    expect(statusOf(h.run, "m")).toBe("skipped");
    expect(h.run.wf.status).toBe("completed");
  });
});

describe("dep_policy all_settled", () => {
  const def = () => dag({ a: [], b: [], m: { deps: ["a", "b"], policy: "all_settled" } });

  it("waits for every parent, then runs if one completed", () => {
    const h = new Harness(def());
    h.complete("a");
    expect(statusOf(h.run, "m")).toBe("pending");
    h.fail("b");
    expect(statusOf(h.run, "m")).toBe("ready");
    expect(h.dispatched()).toEqual(["m"]);
  });

  it("is upstream_failed when none completed and one failed", () => {
    const h = new Harness(def());
    h.fail("a");
    expect(statusOf(h.run, "m")).toBe("pending");
    h.fail("b");
    expect(statusOf(h.run, "m")).toBe("upstream_failed");
  });
});

describe("dep_policy always", () => {
  it("runs once every parent has ended, whatever they did", () => {
    const h = new Harness(
      dag({ a: [], b: { deps: ["a"] }, cleanup: { deps: ["a", "b"], policy: "always" } }),
    );
    h.fail("a");
    expect(statusOf(h.run, "b")).toBe("upstream_failed");
    expect(statusOf(h.run, "cleanup")).toBe("ready");
    h.complete("cleanup");
    // The cleanup task completed, but it never hides the failure it cleaned up after.
    expect(h.run.wf.status).toBe("failed");
  });

  it("a workflow whose work and cleanup both succeed completes", () => {
    const h = new Harness(dag({ a: [], cleanup: { deps: ["a"], policy: "always" } }));
    h.complete("a");
    h.complete("cleanup");
    expect(h.run.wf.status).toBe("completed");
  });

  it("a failed cleanup fails the workflow", () => {
    const h = new Harness(dag({ a: [], cleanup: { deps: ["a"], policy: "always" } }));
    h.complete("a");
    h.fail("cleanup");
    expect(h.run.wf.status).toBe("failed");
  });
});

describe("result_policy", () => {
  const diamond = (policy: "sinks" | "all_tasks") =>
    compileDefinition({
      name: "d",
      result_policy: policy,
      tasks: [
        { name: "a", command: "x" },
        { name: "flaky", command: "x", depends_on: ["a"] },
        { name: "solid", command: "x", depends_on: ["a"] },
        { name: "m", command: "x", depends_on: ["flaky", "solid"], dep_policy: "any" },
      ],
    });

  for (const [policy, expected] of [
    ["sinks", "completed"],
    ["all_tasks", "failed"],
  ] as const) {
    it(`${policy}: a failure tolerated by an any merge leaves the workflow ${expected}`, () => {
      const h = new Harness(diamond(policy));
      h.complete("a");
      h.fail("flaky");
      h.complete("solid");
      h.complete("m");
      expect(h.run.wf.status).toBe(expected);
      expect(verifyCounters(h.run)).toEqual([]);
    });
  }
});

describe("max_parallelism", () => {
  it("caps the tasks of this workflow in flight below the deployment's window", () => {
    const def = compileDefinition({
      name: "p",
      max_parallelism: 2,
      tasks: ["a", "b", "c", "d"].map((name) => ({ name, command: "x" })),
    });
    const h = new Harness(def, { maxInFlight: 3 });
    expect(h.dispatched()).toEqual(["a", "b"]);
    h.complete("a");
    expect(h.dispatched()).toEqual(["c"]);
  });
});

describe("condition_errors", () => {
  const def = (mode?: "skip" | "fail") =>
    compileDefinition({
      name: "c",
      tasks: [
        { name: "a", command: "x" },
        {
          name: "b",
          command: "x",
          depends_on: ["a"],
          condition: "inputs.a.score > 1",
          ...(mode ? { condition_errors: mode } : {}),
        },
        { name: "c", command: "x", depends_on: ["b"] },
      ],
    });

  it("skip (the default): skipped, counted apart from a false condition", () => {
    const h = new Harness(def());
    h.complete("a", { scor: 2 });
    expect(statusOf(h.run, "b")).toBe("skipped");
    expect(h.reason("b")).toMatch(/^condition could not be evaluated: /);
    expect(summarize(h.run).conditionErrors).toBe(1);
    expect(statusOf(h.run, "c")).toBe("skipped");
    expect(h.run.wf.status).toBe("completed");
    expect(verifyCounters(h.run)).toEqual([]);
  });

  it("a false condition is not an error", () => {
    const h = new Harness(def());
    h.complete("a", { score: 0 });
    expect(statusOf(h.run, "b")).toBe("skipped");
    expect(summarize(h.run).conditionErrors).toBe(0);
  });

  it("fail: the task fails with the reason, and its children are upstream_failed", () => {
    const h = new Harness(def("fail"));
    h.complete("a", { scor: 2 });
    expect(statusOf(h.run, "b")).toBe("failed");
    expect(h.reason("b")).toMatch(/^condition could not be evaluated: /);
    expect(statusOf(h.run, "c")).toBe("upstream_failed");
    expect(h.run.wf.status).toBe("failed");
    expect(summarize(h.run).conditionErrors).toBe(0);
  });

  it("defaults.condition_errors applies to every task", () => {
    const d = compileDefinition({
      name: "c",
      defaults: { condition_errors: "fail" },
      tasks: [
        { name: "a", command: "x" },
        { name: "b", command: "x", depends_on: ["a"], condition: "inputs.a.x" },
      ],
    });
    expect(d.tasks[1]!.conditionErrors).toBe("fail");
  });
});

describe("definitions that validate but could never be dispatched", () => {
  const issuesOf = (def: unknown) => {
    try {
      compileDefinition(def);
    } catch (e) {
      if (e instanceof DagqError) return e.details.issues ?? [];
      throw e;
    }
    return [];
  };

  it("a task whose message exceeds the queue limit is rejected, naming the task and the size", () => {
    const env = Object.fromEntries(
      Array.from({ length: 20 }, (_, k) => [`V${k}`, "x".repeat(4000)]),
    );
    const issues = issuesOf({
      name: "big",
      tasks: [
        { name: "ok", command: "true" },
        { name: "huge", command: "true", env },
      ],
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe("tasks[1].command");
    expect(issues[0]!.code).toBe("TOO_LARGE");
    expect(issues[0]!.message).toMatch(/task "huge": its task message would take \d+ bytes/);
  });

  it("counts characters JSON escapes as the bytes they become", () => {
    // 16,000 control characters are 16,000 characters but 96,000 bytes once escaped.
    const issues = issuesOf({
      name: "esc",
      tasks: [{ name: "t", command: `echo ${"\u0001".repeat(16_000)}` }],
    });
    expect(issues.map((i) => i.code)).toEqual(["TOO_LARGE"]);
  });

  it("reserved JavaScript names are rejected as task and env names", () => {
    for (const name of ["__proto__", "constructor", "prototype"]) {
      const issues = issuesOf({ name: "r", tasks: [{ name, command: "true" }] });
      expect(issues.length, name).toBeGreaterThan(0);
      expect(issues[0]!.message).toContain("must not be __proto__, constructor or prototype");
    }
    const env = JSON.parse('{"__proto__": "x"}');
    expect(
      issuesOf({ name: "r", tasks: [{ name: "t", command: "true", env }] }).length,
    ).toBeGreaterThan(0);
  });
});

describe("only a report of a dispatched attempt moves a task", () => {
  it("a forged started/completed for a ready task that was never dispatched changes nothing", () => {
    const def = compileDefinition({
      name: "f",
      max_parallelism: 1,
      tasks: [
        { name: "a", command: "x" },
        { name: "b", command: "x" },
      ],
    });
    const h = new Harness(def);
    expect(h.dispatched()).toEqual(["a"]); // b waits: the window is 1
    const started = h.start("b");
    expect(started.ignored.map((x) => x.why)).toEqual(["the attempt was never dispatched"]);
    const done = h.complete("b");
    expect(done.ignored.map((x) => x.why)).toEqual(["the attempt was never dispatched"]);
    expect(statuses(h.run)).toEqual({ a: "ready", b: "ready" });
    h.complete("a");
    expect(h.dispatched()).toEqual(["b"]);
    h.complete("b");
    expect(h.run.wf.status).toBe("completed");
  });
});
