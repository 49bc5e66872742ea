import { describe, expect, it } from "vitest";
import {
  applyEvents,
  compileDefinition,
  createRun,
  type Event,
  replay,
  restore,
  snapshot,
  takeChanges,
  taskDetail,
  taskView,
} from "../../src/core/index.js";
import { verifyCounters } from "../../src/core/summary.js";
import { dag, Harness, idx, statuses, statusOf } from "./fixtures.js";

const rerun = (extra: Omit<Extract<Event, { kind: "rerun" }>, "kind"> = {}): Event => ({
  kind: "rerun",
  ...extra,
});

/** a → b → c, and d beside them; b fails for good on its first attempt. */
function failedChain() {
  const h = new Harness(dag({ a: [], b: ["a"], c: ["b"], d: [] }));
  h.complete("a", { v: 1 });
  h.complete("d", { v: 4 });
  h.fail("b");
  expect(h.run.wf.status).toBe("failed");
  expect(statuses(h.run)).toEqual({
    a: "completed",
    b: "failed",
    c: "upstream_failed",
    d: "completed",
  });
  return h;
}

describe("rerun of a failed workflow", () => {
  it("resets what failed and what it failed, runs it as the next attempt, keeps the rest", () => {
    const h = failedChain();
    const t = h.apply(rerun());
    expect(t.ignored).toEqual([]);
    expect(h.run.wf.status).toBe("running");
    expect(h.run.wf.finishedAt).toBe(0);
    expect(h.run.wf.reason).toBeNull();
    expect(statuses(h.run)).toEqual({ a: "completed", b: "ready", c: "pending", d: "completed" });
    expect(t.commands).toEqual([
      { kind: "dispatch", task: idx(h.def, "b"), attempt: 2, delayMs: 0 },
    ]);
    // Completed tasks keep their outputs and run no more.
    expect(h.run.outputs.get(idx(h.def, "a"))).toEqual({ v: 1 });
    h.complete("b");
    expect(h.dispatched()).toEqual(["c"]);
    // c never ran: its next attempt is still 1.
    expect(h.run.attempt[idx(h.def, "c")]).toBe(1);
    h.complete("c");
    expect(h.run.wf.status).toBe("completed");
    expect(taskView(h.run, idx(h.def, "b")).attempts).toBe(2);
    expect(verifyCounters(h.run)).toEqual([]);
  });

  it("a late report of the old attempt changes nothing", () => {
    const h = failedChain();
    h.apply(rerun());
    const t = h.fail("b", "late", 1);
    expect(t.ignored.map((x) => x.why)).toEqual(["stale attempt 1 (current 2)"]);
    const done = h.complete("b", { late: true }, 1);
    expect(done.ignored).toHaveLength(1);
    expect(statusOf(h.run, "b")).toBe("ready");
  });

  it("gives each reset task its whole retry budget again, backoff counted from the rerun", () => {
    const def = compileDefinition({
      name: "r",
      defaults: { retry_backoff_s: 1 },
      tasks: [{ name: "r", command: "x", num_retries: 1 }],
    });
    const h = new Harness(def);
    h.fail("r");
    h.fail("r"); // attempt 2: the budget is spent
    expect(h.run.wf.status).toBe("failed");
    h.apply(rerun());
    expect(h.run.attempt[0]).toBe(3);
    expect(taskDetail(h.run, 0).maxAttempts).toBe(4);
    const t = h.fail("r"); // attempt 3 fails: one retry left, after the FIRST backoff (1 s)
    expect(statusOf(h.run, "r")).toBe("ready");
    expect(h.run.attempt[0]).toBe(4);
    expect(t.commands).toContainEqual({ kind: "dispatch", task: 0, attempt: 4, delayMs: 1000 });
    h.fail("r");
    expect(statusOf(h.run, "r")).toBe("failed");
    expect(taskView(h.run, 0).attempts).toBe(4);
  });

  it("re-decides skipped descendants: a condition reads the new output", () => {
    const h = new Harness(
      dag({ a: { retries: 0 }, b: { deps: ["a"], condition: "inputs.a.go == true" }, c: [] }),
    );
    h.complete("c");
    h.fail("a");
    expect(statusOf(h.run, "b")).toBe("upstream_failed");
    h.apply(rerun());
    h.complete("a", { go: true });
    expect(statusOf(h.run, "b")).toBe("ready");
  });

  it("a chosen task whose cause is not rerun ends as before, and the workflow fails again", () => {
    const h = failedChain();
    const t = h.apply(rerun({ tasks: [idx(h.def, "c")] }));
    expect(statusOf(h.run, "c")).toBe("upstream_failed");
    expect(h.run.wf.status).toBe("failed");
    expect(t.commands).toEqual([{ kind: "finish", status: "failed" }]);
    expect(verifyCounters(h.run)).toEqual([]);
  });

  it("downstream also reruns completed descendants, whose outputs are dropped", () => {
    const h = new Harness(dag({ a: [], b: ["a"], c: ["b"], x: [] }));
    h.complete("a", 1);
    h.complete("b", 2);
    h.complete("c", 3);
    h.fail("x");
    expect(h.run.wf.status).toBe("failed");
    // Without downstream: b reruns, c keeps its output.
    const one = new Harness(h.def);
    for (const e of [
      ["a", 1],
      ["b", 2],
      ["c", 3],
    ] as const)
      one.complete(e[0], e[1]);
    one.fail("x");
    one.apply(rerun({ tasks: [idx(h.def, "b")] }));
    expect(statuses(one.run)).toMatchObject({ a: "completed", b: "ready", c: "completed" });
    expect(one.run.outputs.get(idx(h.def, "c"))).toBe(3);
    expect(one.run.outputs.has(idx(h.def, "b"))).toBe(false);
    // With it: c too.
    h.apply(rerun({ tasks: [idx(h.def, "b")], downstream: true }));
    expect(statuses(h.run)).toMatchObject({
      a: "completed",
      b: "ready",
      c: "pending",
      x: "failed",
    });
    expect(h.run.outputs.has(idx(h.def, "c"))).toBe(false);
    expect(verifyCounters(h.run)).toEqual([]);
  });

  it("chooses by prefix, and `failed` keeps only the tasks that did not succeed", () => {
    const h = new Harness(dag({ "t/a": [], "t/b": [], "t/c": [], u: [] }));
    h.complete("t/a");
    h.fail("t/b");
    h.complete("t/c");
    h.fail("u");
    const byPrefix = new Harness(h.def);
    byPrefix.complete("t/a");
    byPrefix.fail("t/b");
    byPrefix.complete("t/c");
    byPrefix.fail("u");
    byPrefix.apply(rerun({ prefix: "t/" }));
    expect(statuses(byPrefix.run)).toEqual({
      "t/a": "ready",
      "t/b": "ready",
      "t/c": "ready",
      u: "failed",
    });
    h.apply(rerun({ prefix: "t/", failed: true }));
    expect(statuses(h.run)).toEqual({
      "t/a": "completed",
      "t/b": "ready",
      "t/c": "completed",
      u: "failed",
    });
  });
});

describe("rerun of a cancelled workflow", () => {
  it("reopens it: cancellation withdrawn, dispatched attempts killed, first dispatch delayed", () => {
    const h = new Harness(dag({ a: [], b: ["a"], c: [] }));
    h.complete("c");
    h.start("a");
    h.apply({ kind: "cancel", reason: "stop" });
    expect(statuses(h.run)).toEqual({ a: "cancelled", b: "cancelled", c: "completed" });
    const t = h.apply(rerun({ reopenDelayMs: 2000 }));
    expect(h.run.wf.status).toBe("running");
    expect(t.commands).toEqual([
      { kind: "kill", task: idx(h.def, "a"), attempt: 1 },
      { kind: "reopen" },
      { kind: "dispatch", task: idx(h.def, "a"), attempt: 2, delayMs: 2000 },
    ]);
    // b was never dispatched: attempt 1 is used again.
    expect(h.run.attempt[idx(h.def, "b")]).toBe(1);
    expect(verifyCounters(h.run)).toEqual([]);
  });
});

describe("rerun of a running workflow", () => {
  it("reruns its failed tasks only, and never downstream", () => {
    const h = new Harness(dag({ a: [], b: [], c: ["a"], slow: [] }));
    h.start("slow");
    h.fail("a");
    h.complete("b");
    expect(h.run.wf.status).toBe("running");
    expect(statusOf(h.run, "c")).toBe("upstream_failed");
    const refused = h.apply(rerun({ downstream: true }));
    expect(refused.ignored[0]?.why).toMatch(/running: only its failed tasks rerun/);
    const none = h.apply(rerun({ tasks: [idx(h.def, "b"), idx(h.def, "slow")] }));
    expect(none.ignored[0]?.why).toMatch(/nothing to rerun/);
    h.apply(rerun());
    expect(statuses(h.run)).toEqual({ a: "ready", b: "completed", c: "pending", slow: "running" });
    expect(verifyCounters(h.run)).toEqual([]);
  });
});

describe("what a rerun refuses", () => {
  it("a completed or pending workflow, and nothing to rerun", () => {
    const done = new Harness(dag({ a: [] }));
    done.complete("a");
    expect(done.apply(rerun()).ignored[0]?.why).toMatch(/the workflow is completed/);
    const waiting = new Harness(dag({ a: [] }), { admitted: false });
    expect(waiting.apply(rerun()).ignored[0]?.why).toMatch(/the workflow is pending/);
    const h = failedChain();
    expect(h.apply(rerun({ tasks: [idx(h.def, "a")], failed: true })).ignored[0]?.why).toMatch(
      /nothing to rerun: none of the chosen tasks/,
    );
    expect(h.run.wf.status).toBe("failed");
  });

  it("a task that would pass the protocol's last attempt number", () => {
    const def = compileDefinition({
      name: "r",
      tasks: [{ name: "r", command: "x", num_retries: 100 }],
    });
    const h = new Harness(def);
    for (let k = 0; k < 8; k++) {
      for (let a = 0; a <= 100; a++) h.fail("r");
      h.apply(rerun());
    }
    expect(h.run.attempt[0]).toBe(809); // 809 + 100 retries stays within 1000

    for (let a = 0; a <= 100; a++) h.fail("r");
    expect(h.apply(rerun()).ignored[0]?.why).toMatch(/would pass attempt 1000/);
  });
});

describe("a rerun in the journal", () => {
  it("is one delta of the reset records only, and replays exactly", () => {
    const n = 10_000;
    const def = compileDefinition({
      name: "wide",
      tasks: [
        ...Array.from({ length: n }, (_, i) => ({ name: `t${i}`, command: "x" })),
        { name: "agg", command: "x", depends_on: ["t0", "t1", "t2"] },
      ],
    });
    const T = 1_700_000_000_000;
    const { run, transition } = createRun(def, "w", T);
    const deltas = [transition.delta];
    const events: Event[] = [];
    for (let i = 0; i < n; i++)
      events.push(
        i % 1000 === 0
          ? { kind: "failed", task: i, attempt: 1, error: "no" }
          : { kind: "completed", task: i, attempt: 1 },
      );
    for (let k = 0; k < 20; k++) {
      const t = applyEvents(run, events.slice(k * 500, (k + 1) * 500), T + 1 + k);
      deltas.push(t.delta);
    }
    expect(run.wf.status).toBe("failed");
    const before = snapshot(run);
    const t = applyEvents(run, [{ kind: "rerun" }], T + 100);
    // 10 failed tasks and agg (upstream_failed through t0): 11 records, whatever n is.
    expect(t.delta.i).toHaveLength(11);
    expect(t.delta.b).toHaveLength(10);
    deltas.push(t.delta);
    const rebuilt = restore(def, "w", deltas[0]!, deltas.slice(1));
    expect(snapshot(rebuilt)).toEqual(snapshot(run));
    // A snapshot holds the bases, and a delta from before reruns existed (no `b`) still replays.
    const fromSnap = restore(def, "w", snapshot(run));
    expect(fromSnap.base.get(0)).toBe(1);
    const old = restore(def, "w", before);
    const { b: _, ...legacy } = t.delta;
    replay(old, legacy);
    expect(old.base.size).toBe(0);
    expect(takeChanges(old).i.length).toBe(11);
  });
});
