import { describe, expect, it } from "vitest";
import {
  applyEvents,
  compileDefinition,
  createRun,
  repairReady,
  summarize,
  timedOut,
} from "../../src/core/index.js";
import { verifyCounters } from "../../src/core/summary.js";
import { dag, Harness, idx, statuses, statusOf, T0 } from "./fixtures.js";

describe("initial state", () => {
  it("roots start ready and are dispatched, dependents start pending", () => {
    const h = new Harness(dag({ a: [], b: [], c: ["a", "b"] }));
    expect(statuses(h.run)).toEqual({ a: "ready", b: "ready", c: "pending" });
    expect(h.dispatched()).toEqual(["a", "b"]);
    expect(h.run.wf.status).toBe("running");
  });

  it("a workflow waiting for admission dispatches nothing until admitted", () => {
    const h = new Harness(dag({ a: [], b: ["a"] }), { admitted: false });
    expect(h.run.wf.status).toBe("pending");
    expect(h.commands).toEqual([]);
    expect(statusOf(h.run, "a")).toBe("ready");
    h.apply({ kind: "admit" });
    expect(h.run.wf.status).toBe("running");
    expect(h.dispatched()).toEqual(["a"]);
  });
});

describe("dependency policies", () => {
  it("all: a child runs once every parent completed", () => {
    const h = new Harness(dag({ a: [], b: [], c: ["a", "b"] }));
    h.complete("a");
    expect(statusOf(h.run, "c")).toBe("pending");
    h.complete("b");
    expect(statusOf(h.run, "c")).toBe("ready");
    expect(h.dispatched()).toEqual(["c"]);
  });

  it("all: one failed parent makes the child upstream_failed at once", () => {
    const h = new Harness(dag({ a: [], b: [], c: ["a", "b"], d: ["c"] }));
    h.fail("a");
    expect(statusOf(h.run, "c")).toBe("upstream_failed");
    expect(statusOf(h.run, "d")).toBe("upstream_failed");
    expect(h.reason("c")).toContain('"a" failed');
    expect(h.run.wf.status).toBe("running"); // b is still running
    h.complete("b");
    expect(h.run.wf.status).toBe("failed");
  });

  it("any: the first completed parent readies the merge, later parents do not dispatch it again", () => {
    const h = new Harness(
      dag({ a: [], b: [], c: [], m: { deps: ["a", "b", "c"], policy: "any" } }),
    );
    h.complete("a");
    expect(h.dispatched()).toEqual(["m"]);
    h.complete("b");
    expect(h.dispatched()).toEqual([]);
    h.fail("c");
    expect(h.dispatched()).toEqual([]);
    expect(statusOf(h.run, "m")).toBe("ready");
    expect(summarize(h.run).counts.ready).toBe(1);
    expect(verifyCounters(h.run)).toEqual([]);
  });

  it("any: survives failed branches while one parent can still complete (resilient diamond)", () => {
    const h = new Harness(
      dag({
        src: [],
        flaky: ["src"],
        ok: ["src"],
        merge: { deps: ["flaky", "ok"], policy: "any" },
      }),
    );
    h.complete("src");
    h.fail("flaky");
    expect(statusOf(h.run, "merge")).toBe("pending");
    h.complete("ok");
    h.complete("merge");
    expect(statusOf(h.run, "flaky")).toBe("failed");
    expect(h.run.wf.status).toBe("completed");
  });

  it("any: every parent failed → upstream_failed", () => {
    const h = new Harness(dag({ a: [], b: [], m: { deps: ["a", "b"], policy: "any" } }));
    h.fail("a");
    expect(statusOf(h.run, "m")).toBe("pending");
    h.fail("b");
    expect(statusOf(h.run, "m")).toBe("upstream_failed");
    expect(h.run.wf.status).toBe("failed");
  });

  it("N: runs after N completions, fails as soon as N became impossible", () => {
    const shape = { a: [], b: [], c: [], d: [], m: { deps: ["a", "b", "c", "d"], policy: 3 } };
    const h = new Harness(dag(shape));
    h.complete("a");
    h.complete("b");
    expect(statusOf(h.run, "m")).toBe("pending");
    h.complete("c");
    expect(statusOf(h.run, "m")).toBe("ready");

    const g = new Harness(dag(shape));
    g.fail("a");
    expect(statusOf(g.run, "m")).toBe("pending");
    g.fail("b");
    expect(statusOf(g.run, "m")).toBe("upstream_failed");
  });
});

describe("skips", () => {
  it("a false condition skips the task; skips propagate to children that can no longer run", () => {
    const h = new Harness(
      dag({ a: [], b: { deps: ["a"], condition: "inputs.a.score > 0.5" }, c: ["b"] }),
    );
    h.complete("a", { score: 0.1 });
    expect(statusOf(h.run, "b")).toBe("skipped");
    expect(h.reason("b")).toBe("condition is false: inputs.a.score > 0.5");
    expect(statusOf(h.run, "c")).toBe("skipped");
    expect(h.run.wf.status).toBe("completed");
  });

  it("a skipped parent never dooms a child to upstream_failed, and never satisfies it", () => {
    const h = new Harness(
      dag({ a: [], s: { deps: ["a"], condition: "false" }, b: [], c: ["s", "b"] }),
    );
    h.complete("a");
    expect(statusOf(h.run, "s")).toBe("skipped");
    expect(statusOf(h.run, "c")).toBe("pending");
    h.complete("b");
    expect(statusOf(h.run, "c")).toBe("skipped");
    expect(h.reason("c")).toContain("1 of 2");
  });

  it("skipped plus failed parents: upstream_failed, whichever arrives first", () => {
    for (const order of [
      ["skip", "fail"],
      ["fail", "skip"],
    ]) {
      const h = new Harness(
        dag({ a: [], s: { deps: ["a"], condition: "false" }, f: [], c: ["s", "f"] }),
      );
      for (const step of order) step === "skip" ? h.complete("a") : h.fail("f");
      expect(statusOf(h.run, "c")).toBe("upstream_failed");
    }
  });

  it("a condition that cannot be evaluated skips with the reason", () => {
    const h = new Harness(dag({ a: [], b: { deps: ["a"], condition: "inputs.a.missing > 1" } }));
    h.complete("a", { score: 1 });
    expect(statusOf(h.run, "b")).toBe("skipped");
    expect(h.reason("b")).toMatch(/^condition could not be evaluated: .*missing/);
  });

  it("a condition waits for every parent it reads, even under `any`", () => {
    const h = new Harness(
      dag({
        a: [],
        b: [],
        m: { deps: ["a", "b"], policy: "any", condition: "inputs.b.ok == true" },
      }),
    );
    h.complete("a");
    expect(statusOf(h.run, "m")).toBe("pending");
    h.complete("b", { ok: true });
    expect(statusOf(h.run, "m")).toBe("ready");
  });

  it("glob aggregates see completed parents only", () => {
    const h = new Harness(
      dag({
        "train/a": [],
        "train/b": [],
        "train/c": [],
        pick: {
          deps: ["train/a", "train/b", "train/c"],
          policy: "any",
          condition: 'count(inputs["train/*"].ok) == 2',
        },
      }),
    );
    h.complete("train/a", { ok: true });
    h.fail("train/b");
    h.complete("train/c", { ok: true });
    expect(statusOf(h.run, "pick")).toBe("ready");
  });
});

describe("attempts and retries", () => {
  it("a failure with retries left goes back to ready with attempt+1 and a backoff delay", () => {
    const def = dag({ a: { retries: 2 } });
    const h = new Harness(def);
    h.fail("a", "exit code 1");
    expect(statusOf(h.run, "a")).toBe("ready");
    expect(h.run.attempt[0]).toBe(2);
    // Attempt 1 is marked superseded, so a redelivered message of it is dropped, not run.
    expect(h.commands).toEqual([
      { kind: "kill", task: 0, attempt: 1 },
      { kind: "dispatch", task: 0, attempt: 2, delayMs: 0 },
    ]);
    expect(h.reason("a")).toBe("attempt 1 failed: exit code 1");
    h.fail("a");
    h.fail("a", "final");
    expect(statusOf(h.run, "a")).toBe("failed");
    expect(h.run.attempt[0]).toBe(3);
    expect(h.reason("a")).toBe("final");
  });

  it("backoff doubles per attempt", () => {
    const def = dag({ a: { retries: 3 } });
    const spec = def.tasks[0]! as { retryBackoffS: number };
    spec.retryBackoffS = 2;
    const h = new Harness(def);
    const delays = [1, 2, 3].map((attempt) => {
      h.fail("a", "x", attempt);
      return h.commands.find((c) => c.kind === "dispatch");
    });
    expect(delays.map((c) => (c?.kind === "dispatch" ? c.delayMs : -1))).toEqual([
      2000, 4000, 8000,
    ]);
  });

  it("duplicate and stale completions are no-ops", () => {
    const h = new Harness(dag({ a: { retries: 1 }, b: ["a"] }));
    h.fail("a", "x", 1);
    const stale = h.complete("a", { v: 1 }, 1);
    expect(stale.ignored[0]?.why).toBe("stale attempt 1 (current 2)");
    expect(statusOf(h.run, "a")).toBe("ready");
    h.complete("a", { v: 2 }, 2);
    const dup = h.complete("a", { v: 3 }, 2);
    expect(dup.ignored[0]?.why).toBe("task is completed");
    expect(h.run.outputs.get(0)).toEqual({ v: 2 });
    expect(h.dispatched()).toEqual([]);
    expect(verifyCounters(h.run)).toEqual([]);
  });

  it("a start for a stale attempt or a finished task asks to kill the process", () => {
    const h = new Harness(dag({ a: { retries: 1 } }));
    h.fail("a", "x", 1);
    h.start("a", 1);
    expect(h.commands).toEqual([{ kind: "kill", task: 0, attempt: 1 }]);
    h.start("a", 2);
    expect(statusOf(h.run, "a")).toBe("running");
  });

  it("a completion may overtake its own start report", () => {
    const h = new Harness(dag({ a: [] }));
    h.complete("a", 5);
    expect(statusOf(h.run, "a")).toBe("completed");
    expect(h.run.startedAt[0]).toBe(T0);
    expect(h.start("a").ignored).toHaveLength(1);
  });
});

describe("timeouts, repair, cancel", () => {
  it("running attempts past their timeout are reported as failures", () => {
    const h = new Harness(dag({ a: { timeout: 10 }, b: [] }));
    h.start("a");
    h.start("b");
    expect(timedOut(h.run, T0 + 9_000)).toEqual([]);
    const events = timedOut(h.run, T0 + 10_001);
    expect(events).toEqual([{ kind: "failed", task: 0, attempt: 1, error: "timed out after 10s" }]);
    applyEvents(h.run, events, T0 + 10_001);
    expect(statusOf(h.run, "a")).toBe("failed");
  });

  it("ready-repair re-dispatches tasks dispatched long ago that never started", () => {
    const h = new Harness(dag({ a: [], b: [] }));
    h.start("b");
    expect(repairReady(h.run, T0 + 1000, 5000).commands).toEqual([]);
    const t = repairReady(h.run, T0 + 6000, 5000);
    expect(t.commands).toEqual([{ kind: "dispatch", task: 0, attempt: 1, delayMs: 0 }]);
    expect(t.delta.i).toEqual([0]);
    expect(repairReady(h.run, T0 + 7000, 5000).commands).toEqual([]);
  });

  it("cancel ends every open task, asks to kill what was dispatched, and finishes the workflow", () => {
    const h = new Harness(dag({ a: [], b: [], c: ["a"], d: ["c"] }));
    h.start("a");
    h.complete("b");
    const t = h.apply({ kind: "cancel", reason: "user asked" });
    expect(statuses(h.run)).toEqual({
      a: "cancelled",
      b: "completed",
      c: "cancelled",
      d: "cancelled",
    });
    expect(t.commands).toEqual([
      { kind: "kill", task: 0, attempt: 1 },
      { kind: "finish", status: "cancelled" },
    ]);
    expect(h.run.wf.status).toBe("cancelled");
    expect(h.complete("a").ignored[0]?.why).toBe("workflow is cancelled");
    expect(h.apply({ kind: "cancel" }).ignored[0]?.why).toBe("workflow is cancelled");
  });
});

describe("workflow outcome", () => {
  it("completes when every sink completed or was skipped", () => {
    const h = new Harness(dag({ a: [], b: { deps: ["a"], condition: "false" }, c: ["a"] }));
    h.complete("a");
    h.complete("c");
    expect(h.run.wf.status).toBe("completed");
    expect(h.commands).toContainEqual({ kind: "finish", status: "completed" });
  });

  it("fails when a sink failed, with a reason", () => {
    const h = new Harness(dag({ a: [], b: ["a"] }));
    h.complete("a");
    h.fail("b");
    expect(h.run.wf.status).toBe("failed");
    expect(h.run.wf.reason).toBe("1 final task(s) did not succeed");
  });
});

describe("flow control", () => {
  it("keeps at most maxInFlight tasks dispatched and tops up as they finish", () => {
    const shape = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`t${i}`, []]));
    const def = dag(shape);
    const h = new Harness(def, { maxInFlight: 3 });
    expect(h.dispatched()).toEqual(["t0", "t1", "t2"]);
    const t = applyEvents(h.run, [{ kind: "completed", task: idx(def, "t1"), attempt: 1 }], T0, {
      maxInFlight: 3,
    });
    expect(t.commands.map((c) => c.kind === "dispatch" && def.tasks[c.task]!.name)).toEqual(["t3"]);
    expect(h.run.inFlight).toBe(3);
    expect(verifyCounters(h.run)).toEqual([]);
  });
});

describe("flow control per queue", () => {
  it("holds tasks whose queue is full, first in line, and dispatches them once there is room", () => {
    const def = compileDefinition({
      name: "q",
      tasks: [
        { name: "g1", command: "x", queue: "gpu" },
        { name: "c1", command: "x" },
        { name: "g2", command: "x", queue: "gpu" },
        { name: "c2", command: "x" },
        { name: "c3", command: "x" },
      ],
    });
    const { run, transition } = createRun(def, "w", T0, {
      maxInFlight: 10,
      queueRoom: new Map([
        ["gpu", 0],
        ["default", 2],
      ]),
    });
    expect(
      transition.commands.map((c) => c.kind === "dispatch" && def.tasks[c.task]!.name),
    ).toEqual(["c1", "c2"]);
    expect([...transition.roomUsed]).toEqual([["default", 2]]);
    expect(verifyCounters(run)).toEqual([]);
    const later = applyEvents(run, [], T0 + 1, { maxInFlight: 10 });
    expect(later.commands.map((c) => c.kind === "dispatch" && def.tasks[c.task]!.name)).toEqual([
      "g1",
      "g2",
      "c3",
    ]);
  });
});

describe("wide fan-in", () => {
  it("10,000 parents: the child is dispatched exactly once, after the last parent", () => {
    const shape: Record<string, string[]> = {};
    const leaves = Array.from({ length: 10_000 }, (_, i) => `leaf/${i}`);
    for (const l of leaves) shape[l] = [];
    shape.join = leaves;
    const def = dag(shape);
    const h = new Harness(def);
    let dispatches = 0;
    for (const l of leaves) {
      h.complete(l, { n: 1 });
      dispatches += h.dispatched().length;
    }
    expect(dispatches).toBe(1);
    expect(statusOf(h.run, "join")).toBe("ready");
    expect(verifyCounters(h.run)).toEqual([]);
  });
});
