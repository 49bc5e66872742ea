import { describe, expect, it } from "vitest";
import {
  applyEvents,
  completedInputs,
  createRun,
  outputsConditionsRead,
  reconcile,
  StateCode,
  wakeAt,
} from "../../src/core/index.js";
import { dag, Harness, idx, statusOf, T0 } from "./fixtures.js";

describe("wakeAt", () => {
  const opts = { repairAfterMs: 60_000, maxInFlight: 10 };

  it("is the earliest timeout or repair age, null when nothing is due", () => {
    const h = new Harness(dag({ a: { timeout: 30 }, b: [], c: ["a"] }));
    h.now = T0 + 5000;
    h.start("a");
    // a: running since T0+5s, times out at T0+35s; b: dispatched at T0, repair due at T0+60s
    expect(wakeAt(h.run, T0 + 6000, opts)).toBe(T0 + 35_000);
    h.complete("a");
    expect(wakeAt(h.run, T0 + 6000, opts)).toBe(T0 + 60_000); // b, dispatched at T0, before c
    h.complete("b");
    h.complete("c");
    expect(h.run.wf.status).toBe("completed");
    expect(wakeAt(h.run, T0 + 6000, opts)).toBeNull();
  });

  it("is now when ready tasks wait and the window has room", () => {
    const { run } = createRun(dag({ a: [], b: [] }), "w", T0, { dispatchReady: false });
    expect(run.dispatchedAt[0]).toBe(0);
    expect(wakeAt(run, T0 + 1, opts)).toBe(T0 + 1);
    expect(wakeAt(run, T0 + 1, { ...opts, maxInFlight: 0 })).toBeNull();
  });
});

describe("reconcile", () => {
  it("decides pending tasks whose parents already decide them, and changes nothing otherwise", () => {
    const h = new Harness(dag({ a: [], b: ["a"], c: ["b"] }));
    h.complete("a");
    expect(reconcile(h.run, T0).delta.i).toEqual([]);
    // Simulate a state written by a faulty version: b left pending although a completed.
    h.run.write(idx(h.def, "b"), { status: StateCode.pending, dispatchedAt: 0 });
    const t = reconcile(h.run, T0);
    expect(statusOf(h.run, "b")).toBe("ready");
    expect(t.commands).toEqual([{ kind: "dispatch", task: 1, attempt: 1, delayMs: 0 }]);
  });
});

describe("resolvedOutputs", () => {
  it("lets conditions read outputs stored elsewhere, and the core names which ones it reads", () => {
    const def = dag({ a: [], x: [], b: { deps: ["a", "x"], condition: "inputs.a.score > 1" } });
    const { run } = createRun(def, "w", T0);
    const ref = { $dagq: "output-ref", path: "x", bytes: 10 };
    const events = [
      { kind: "completed", task: 0, attempt: 1, output: ref },
      { kind: "completed", task: 1, attempt: 1 },
    ] as const;
    expect([...outputsConditionsRead(run, events)]).toEqual([0]);
    applyEvents(run, events, T0, { resolvedOutputs: new Map([[0, { score: 2 }]]) });
    expect(run.status[2]).toBe(StateCode.ready);
    expect(run.outputs.get(0)).toEqual(ref);
    expect(completedInputs(run, 2).get("a")).toEqual(ref);
  });
});
