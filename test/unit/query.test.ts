import { describe, expect, it } from "vitest";
import { layerCounts, queryTasks, summarize, taskView } from "../../src/core/index.js";
import { dag, Harness, idx } from "./fixtures.js";

const def = () =>
  dag({
    "prep/featurize": [],
    "train/rf": ["prep/featurize"],
    "train/gnn": ["prep/featurize"],
    "train/rf2": ["prep/featurize"],
    trainer: [],
    "eval/compare": ["train/rf", "train/gnn", "train/rf2"],
  });

describe("queryTasks", () => {
  it("returns the tasks under a name prefix in name order, and nothing else", () => {
    const h = new Harness(def());
    expect(queryTasks(h.run, { prefix: "train/" }).tasks.map((t) => t.name)).toEqual([
      "train/gnn",
      "train/rf",
      "train/rf2",
    ]);
    expect(queryTasks(h.run, { prefix: "train/rf" }).tasks.map((t) => t.name)).toEqual([
      "train/rf",
      "train/rf2",
    ]);
    expect(queryTasks(h.run, { prefix: "nope/" }).tasks).toEqual([]);
  });

  it("filters by status and pages with `after`", () => {
    const h = new Harness(def());
    h.complete("prep/featurize", { rows: 10 });
    expect(queryTasks(h.run, { status: ["ready"] }).tasks.map((t) => t.name)).toEqual([
      "train/gnn",
      "train/rf",
      "train/rf2",
      "trainer",
    ]);
    const page1 = queryTasks(h.run, { status: ["ready"], limit: 2 });
    expect(page1).toMatchObject({ next: "train/rf" });
    const page2 = queryTasks(h.run, { status: ["ready"], limit: 2, after: page1.next! });
    expect(page2.tasks.map((t) => t.name)).toEqual(["train/rf2", "trainer"]);
    expect(page2.next).toBeNull();
    expect(
      queryTasks(h.run, { prefix: "train/", status: ["ready"], after: "train/gnn" }).tasks.map(
        (t) => t.name,
      ),
    ).toEqual(["train/rf", "train/rf2"]);
  });
});

describe("taskView", () => {
  it("shows output, attempts and reason the way the API shows them", () => {
    const h = new Harness(dag({ a: { retries: 1 }, b: ["a"] }));
    expect(taskView(h.run, 0)).toMatchObject({
      status: "ready",
      attempts: 0,
      output: null,
      reason: null,
    });
    h.start("a");
    expect(taskView(h.run, 0).attempts).toBe(1);
    h.fail("a", "exit code 2");
    expect(taskView(h.run, 0)).toMatchObject({
      status: "ready",
      attempts: 1,
      reason: "attempt 1 failed: exit code 2",
    });
    h.complete("a", { ok: 1 });
    expect(taskView(h.run, 0)).toMatchObject({
      status: "completed",
      attempts: 2,
      output: { ok: 1 },
      reason: null,
    });
    expect(taskView(h.run, idx(h.def, "b"))).toMatchObject({ status: "ready", attempts: 0 });
  });
});

describe("summaries", () => {
  it("counts by state and by layer", () => {
    const h = new Harness(def());
    h.complete("prep/featurize");
    h.fail("train/rf");
    const s = summarize(h.run);
    expect(s.counts).toEqual({
      pending: 0,
      ready: 3,
      running: 0,
      completed: 1,
      failed: 1,
      skipped: 0,
      upstream_failed: 1,
      cancelled: 0,
    });
    expect(s).toMatchObject({ status: "running", total: 6, name: "test" });
    const layers = layerCounts(h.run);
    expect(layers).toHaveLength(3);
    expect(layers[1]).toMatchObject({ ready: 2, failed: 1 });
    expect(layers[2]).toMatchObject({ upstream_failed: 1 });
  });
});
