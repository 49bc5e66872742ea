/**
 * Found by the chaos run (seed 7, 2 × 150 tasks, one host kill): a host dispatched attempt 2 of
 * a task whose attempt 1 had failed, then died before writing; the worker's `started` for
 * attempt 2 reached the next host before the redelivered failure of attempt 1. That start is
 * not stale (docs/reliability.md: a late start of an *older* attempt is killed), yet it put
 * `task#2` on the kill list, so every later dispatch of attempt 2 was dropped by the workers
 * as superseded and the task stayed `ready` for good.
 */
import { describe, expect, it } from "vitest";
import { dag, Harness, statusOf } from "./fixtures.js";

describe("a start reported for an attempt the state has not reached", () => {
  it("does not kill that attempt, which the state dispatches once it gets there", () => {
    const h = new Harness(dag({ a: { retries: 1 } }));
    h.start("a", 1);
    h.start("a", 2);
    expect(h.commands).not.toContainEqual({ kind: "kill", task: 0, attempt: 2 });
    h.fail("a", "x", 1);
    expect(h.dispatched()).toEqual(["a"]);
    expect(h.commands).not.toContainEqual({ kind: "kill", task: 0, attempt: 2 });
    h.start("a", 2);
    h.complete("a", { ok: true }, 2);
    expect(statusOf(h.run, "a")).toBe("completed");
  });
});
