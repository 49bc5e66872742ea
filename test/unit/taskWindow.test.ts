import { describe, expect, it } from "vitest";
import { taskWindow } from "../../src/core/taskWindow.js";
import { dag, Harness } from "./fixtures.js";

function run() {
  const def = dag({ "a/1": [], "a/2": [], "a/3": [], "b/1": [], "b/2": [], c: [] });
  const h = new Harness(def);
  h.now += 1000;
  h.start("a/3");
  h.now += 1000;
  h.start("b/1");
  h.now += 5000;
  h.complete("b/1");
  h.now += 1000;
  h.complete("a/3");
  h.fail("a/1");
  return h.run;
}

describe("taskWindow", () => {
  it("counts every match and returns the window at the offset, in name order", () => {
    const w = taskWindow(run(), { prefix: "a/", offset: 1, limit: 1 });
    expect(w.total).toBe(3);
    expect(w.tasks.map((t) => t.name)).toEqual(["a/2"]);
  });

  it("filters by state", () => {
    const w = taskWindow(run(), { status: ["completed", "failed"], limit: 10 });
    expect(w.tasks.map((t) => t.name)).toEqual(["a/1", "a/3", "b/1"]);
    expect(w.total).toBe(3);
  });

  it("sorts by start time, unset last, ties by name; descending reverses", () => {
    const asc = taskWindow(run(), { sort: "started", limit: 10 }).tasks.map((t) => t.name);
    expect(asc).toEqual(["a/3", "b/1", "a/1", "a/2", "b/2", "c"]);
    const desc = taskWindow(run(), { sort: "started", descending: true, limit: 10 });
    expect(desc.tasks.map((t) => t.name)).toEqual([...asc].reverse());
  });

  it("sorts by duration: b/1 ran 5 s, a/3 7 s", () => {
    const w = taskWindow(run(), { sort: "duration", status: ["completed"], limit: 10 });
    expect(w.tasks.map((t) => t.name)).toEqual(["b/1", "a/3"]);
  });

  it("pages without overlap or gaps in any order", () => {
    const r = run();
    for (const sort of ["name", "status", "attempts", "started", "finished", "duration"] as const) {
      const all = taskWindow(r, { sort, limit: 100 }).tasks.map((t) => t.name);
      const paged = [0, 2, 4].flatMap((offset) =>
        taskWindow(r, { sort, offset, limit: 2 }).tasks.map((t) => t.name),
      );
      expect(paged).toEqual(all);
      expect(new Set(all).size).toBe(6);
    }
  });
});
