import { describe, expect, it } from "vitest";
import { applyEvents, compileDefinition, createRun } from "../../src/core/index.js";

const def = compileDefinition({ name: "w", tasks: [{ name: "a", command: "x" }] });

function started(at: number | undefined, now: number) {
  const { run } = createRun(def, "w1", 1000); // dispatched at 1000
  applyEvents(
    run,
    [{ kind: "started", task: 0, attempt: 1, ...(at === undefined ? {} : { at }) }],
    now,
  );
  return run;
}

describe("task times come from the worker, kept within what the coordinator knows", () => {
  it("the worker's start and end, not when the reports were applied", () => {
    const run = started(1200, 5000);
    applyEvents(run, [{ kind: "completed", task: 0, attempt: 1, at: 1250 }], 5000);
    expect(run.startedAt[0]).toBe(1200);
    expect(run.finishedAt[0]).toBe(1250);
  });

  it("a clock behind: not before the dispatch; ahead: not after the report arrived", () => {
    expect(started(10, 5000).startedAt[0]).toBe(1000);
    expect(started(99_999, 5000).startedAt[0]).toBe(5000);
    const run = started(1200, 5000);
    applyEvents(run, [{ kind: "failed", task: 0, attempt: 1, error: "x", at: 1100 }], 6000);
    expect(run.finishedAt[0]).toBe(1200); // not before its start
  });

  it("without a time (an older worker), the time the report was applied", () => {
    const run = started(undefined, 5000);
    applyEvents(run, [{ kind: "completed", task: 0, attempt: 1 }], 7000);
    expect([run.startedAt[0], run.finishedAt[0]]).toEqual([5000, 7000]);
  });
});
