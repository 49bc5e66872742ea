import { describe, expect, it } from "vitest";
import { TASK_STATES, type TaskState } from "../../src/core/index.js";
import { dag, Harness, statusOf } from "./fixtures.js";

/**
 * The transition table of src/core/states.ts, walked: every allowed transition is produced by
 * some event sequence, and no sequence produces a transition outside the table.
 */
const ALLOWED: Record<TaskState, readonly TaskState[]> = {
  // failed: a condition or map that cannot be evaluated; running: a map expanded.
  pending: ["ready", "skipped", "upstream_failed", "cancelled", "failed", "running"],
  ready: ["running", "completed", "failed", "cancelled", "ready"],
  running: ["completed", "failed", "ready", "cancelled"],
  // Terminal: only a rerun leaves them (a task without dependencies goes back to ready; a
  // mapped task whose instances run again goes back to running).
  completed: ["pending", "ready", "running"],
  failed: ["pending", "ready", "running"],
  skipped: ["pending"],
  upstream_failed: ["pending"],
  cancelled: ["pending", "ready", "running"],
};

type Step = (h: Harness) => void;
const scenarios: Record<string, Step[]> = {
  run: [(h) => h.start("a"), (h) => h.complete("a"), (h) => h.start("b"), (h) => h.complete("b")],
  retryThenPass: [
    (h) => h.start("r"),
    (h) => h.fail("r"),
    (h) => h.start("r"),
    (h) => h.complete("r"),
  ],
  retryFromReady: [(h) => h.fail("r"), (h) => h.fail("r")],
  failChain: [(h) => h.fail("a")],
  skip: [(h) => h.complete("a"), (h) => h.complete("r")],
  cancelRunning: [(h) => h.start("a"), (h) => h.apply({ kind: "cancel" })],
  cancelReady: [(h) => h.apply({ kind: "cancel" })],
  failDirect: [(h) => h.complete("a"), (h) => h.fail("b")],
  failRunning: [(h) => h.start("a"), (h) => h.fail("a")],
  rerunFailed: [(h) => h.fail("a"), (h) => h.apply({ kind: "rerun" })],
  rerunCancelled: [(h) => h.apply({ kind: "cancel" }), (h) => h.apply({ kind: "rerun" })],
  rerunSkipped: [
    (h) => h.complete("a"),
    (h) => h.fail("b"),
    (h) => h.complete("r"),
    (h) => h.apply({ kind: "rerun", tasks: [h.def.index.get("a")!], downstream: true }),
  ],
  mapRuns: [
    (h) => h.complete("a", { items: [1, 2] }),
    (h) => h.complete("m[0]"),
    (h) => h.complete("m[1]"),
  ],
  mapRerunFailed: [
    (h) => h.complete("a", { items: [1] }),
    (h) => h.fail("m[0]"),
    (h) => h.apply({ kind: "rerun" }),
  ],
  mapRerunCancelled: [
    (h) => h.complete("a", { items: [1] }),
    (h) => h.apply({ kind: "cancel" }),
    (h) => h.apply({ kind: "rerun" }),
  ],
  mapRerunCompleted: [
    (h) => h.complete("a", { items: [1] }),
    (h) => h.complete("m[0]"),
    (h) => h.complete("b"),
    (h) => h.fail("r"),
    (h) => h.fail("r"),
    (h) => h.apply({ kind: "rerun", tasks: [h.def.index.get("m")!] }),
  ],
  rerunCompleted: [
    (h) => h.complete("a"),
    (h) => h.complete("b"),
    (h) => h.fail("r"),
    (h) => h.fail("r"),
    (h) => h.apply({ kind: "rerun", tasks: [h.def.index.get("a")!], downstream: true }),
  ],
};

describe("task transition table", () => {
  it("every observed transition is allowed, and every allowed one is observed", () => {
    const seen = new Set<string>();
    for (const [name, steps] of Object.entries(scenarios)) {
      const h = new Harness(
        dag({
          a: [],
          b: ["a"],
          r: { retries: 1 },
          s: { deps: ["a", "r"], condition: "false" },
          // Without `items` in a's output, the map cannot be evaluated: m fails.
          m: { deps: ["a"], map: "inputs.a.items" },
        }),
      );
      for (const step of steps) {
        const before = h.def.tasks.map((t) => statusOf(h.run, t.name));
        const attempts = [...h.run.attempt];
        step(h);
        h.def.tasks.forEach((t, i) => {
          const from = before[i]!;
          const to = statusOf(h.run, t.name);
          const retried = h.run.attempt[i] !== attempts[i];
          if (from === to && !retried) return;
          expect(ALLOWED[from], `${name}: ${t.name} ${from} -> ${to}`).toContain(to);
          seen.add(`${from}->${to}`);
        });
      }
    }
    const all = TASK_STATES.flatMap((from) => ALLOWED[from].map((to) => `${from}->${to}`));
    expect([...seen].sort()).toEqual(all.sort());
  });
});
