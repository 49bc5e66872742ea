import { describe, expect, it } from "vitest";
import { taskDetail } from "../../src/core/taskDetail.js";
import { dag, Harness, idx } from "./fixtures.js";

describe("taskDetail", () => {
  const def = () =>
    dag({
      a: [],
      hi: { deps: ["a"], condition: "inputs.a.score > 0.5" },
      lo: { deps: ["a"], condition: "inputs.a.score < 0.5" },
      bad: { deps: ["a"], condition: "inputs.a.missing.x > 1" },
      later: { deps: ["hi"], retries: 2 },
    });

  it("says why each condition came out as it did", () => {
    const h = new Harness(def());
    expect(taskDetail(h.run, idx(h.def, "hi")).condition).toMatchObject({
      source: "inputs.a.score > 0.5",
      outcome: "not evaluated",
    });
    h.complete("a", { score: 0.9 });
    const outcome = (name: string) => taskDetail(h.run, idx(h.def, name)).condition;
    expect(outcome("hi")).toMatchObject({ outcome: "true" });
    expect(outcome("lo")).toMatchObject({ outcome: "false", reason: "it evaluated to false" });
    expect(outcome("bad")?.outcome).toBe("error");
    expect(outcome("bad")?.reason).toMatch(/^condition could not be evaluated: .*missing/);
    expect(outcome("later")).toBeNull();
  });

  it("shows attempts, links with states, inputs and the full reason", () => {
    const h = new Harness(def());
    h.complete("a", { score: 0.9 });
    h.complete("hi", { ok: true });
    const long = `line 1\n${"x".repeat(5000)}\nlast line`;
    h.fail("later", long);
    const d = taskDetail(h.run, idx(h.def, "later"));
    expect(d).toMatchObject({
      name: "later",
      status: "ready",
      attempt: 2,
      maxAttempts: 3,
      command: "run later",
      dependencies: { total: 1, tasks: [{ name: "hi", status: "completed" }] },
      dependants: { total: 0, tasks: [] },
      inputs: { hi: { ok: true } },
    });
    // The reason is kept whole: the dashboard shows it in full.
    expect(d.reason).toBe(`attempt 1 failed: ${long}`);
    expect(taskDetail(h.run, idx(h.def, "a")).dependants.total).toBe(3);
  });
});
