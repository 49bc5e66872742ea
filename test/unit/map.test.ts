import { describe, expect, it } from "vitest";
import {
  applyEvents,
  compileDefinition,
  createRun,
  DagqError,
  type Event,
  findTask,
  LIMITS,
  mapItem,
  queryTasks,
  type RunState,
  restore,
  snapshot,
  summarize,
  taskDetail,
  taskName,
  taskView,
} from "../../src/core/index.js";
import { verifyCounters } from "../../src/core/summary.js";
import { at, dag, Harness, statuses, T0 } from "./fixtures.js";

/** prep → train (mapped over prep's shards) → agg. */
function sweep(extra: { agg?: Record<string, unknown>; train?: Record<string, unknown> } = {}) {
  return new Harness(
    dag({
      prep: [],
      train: { deps: ["prep"], map: "inputs.prep.shards", retries: 1, ...extra.train },
      agg: { deps: ["train"], ...extra.agg },
    }),
  );
}

const rerun = (extra: Omit<Extract<Event, { kind: "rerun" }>, "kind"> = {}): Event => ({
  kind: "rerun",
  ...extra,
});

describe("map: a task expanded into one instance per item", () => {
  it("runs an instance per item, its children after every instance, and ends as its instances", () => {
    const h = sweep();
    h.complete("prep", { shards: ["a", "b", "c"] });
    expect(h.dispatched()).toEqual(["train[0]", "train[1]", "train[2]"]);
    expect(statuses(h.run)).toMatchObject({ train: "running", agg: "pending" });
    expect(mapItem(h.run, at(h.run, "train[1]"))).toEqual({ index: 1, item: "b" });
    h.complete("train[0]", { loss: 0.1 });
    h.complete("train[2]", { loss: 0.3 });
    expect(statuses(h.run)).toMatchObject({ train: "running", agg: "pending" });
    h.complete("train[1]", { loss: 0.2 });
    expect(statuses(h.run)).toMatchObject({ train: "completed", agg: "ready" });
    expect(h.dispatched()).toEqual(["agg"]);
    h.complete("agg");
    expect(h.run.wf.status).toBe("completed");
    const s = summarize(h.run);
    expect(s.total).toBe(6);
    expect(s.counts.completed).toBe(6);
    expect(taskView(h.run, at(h.run, "train")).attempts).toBe(0);
    expect(verifyCounters(h.run)).toEqual([]);
  });

  it("gives the instances' outputs to children by instance name, in item order", () => {
    const h = sweep({
      agg: {
        condition: 'count(inputs["train[*]"].loss < 0.25) == 2 and all(inputs.*.loss != null)',
      },
    });
    h.complete("prep", { shards: [1, 2, 3] });
    h.complete("train[2]", { loss: 0.3 });
    h.complete("train[0]", { loss: 0.1 });
    h.complete("train[1]", { loss: 0.2 });
    expect(statuses(h.run).agg).toBe("ready");
    expect(taskDetail(h.run, at(h.run, "agg")).inputs).toEqual({
      "train[0]": { loss: 0.1 },
      "train[1]": { loss: 0.2 },
      "train[2]": { loss: 0.3 },
    });
  });

  it("an empty list gives no instance: the task is skipped, and so is a child needing it", () => {
    const h = sweep();
    h.complete("prep", { shards: [] });
    expect(statuses(h.run)).toEqual({ prep: "completed", train: "skipped", agg: "skipped" });
    expect(h.reason("train")).toBe("map gave an empty list: no instance ran");
    expect(h.run.wf.status).toBe("completed");
    expect(summarize(h.run).total).toBe(3);
    expect(verifyCounters(h.run)).toEqual([]);
  });

  it("a failed instance fails its children at once, and the mapped task once all have ended", () => {
    const h = sweep({ train: { retries: 0 } });
    h.complete("prep", { shards: ["a", "b", "c"] });
    h.fail("train[1]", "oom");
    expect(statuses(h.run)).toMatchObject({
      "train[1]": "failed",
      train: "running",
      agg: "upstream_failed",
    });
    expect(h.reason("agg")).toContain('"train[1]" failed');
    h.complete("train[0]");
    h.complete("train[2]");
    expect(statuses(h.run).train).toBe("failed");
    expect(h.reason("train")).toBe('1 of 3 instances did not succeed ("train[1]" failed)');
    expect(h.run.wf.status).toBe("failed");
    expect(verifyCounters(h.run)).toEqual([]);
  });

  it("counts the instances one by one for a child's dep_policy", () => {
    const h = sweep({ train: { retries: 0 }, agg: { policy: "all_settled" } });
    h.complete("prep", { shards: ["a", "b"] });
    h.fail("train[0]");
    expect(statuses(h.run).agg).toBe("pending");
    h.complete("train[1]", { ok: true });
    expect(statuses(h.run).agg).toBe("ready");
    expect(verifyCounters(h.run)).toEqual([]);
  });

  it("a child waits to know its map's size before deciding its policy is out of reach", () => {
    // dep_policy 2 over [train, other]: other fails before train expands into two instances,
    // which then both complete. Deciding "2 of 2 can no longer be met" early was wrong.
    const h = new Harness(
      dag({
        prep: [],
        other: [],
        train: { deps: ["prep"], map: "inputs.prep.shards" },
        child: { deps: ["train", "other"], policy: 2 },
      }),
    );
    h.fail("other");
    expect(statuses(h.run).child).toBe("pending");
    h.complete("prep", { shards: [1, 2] });
    h.complete("train[0]");
    expect(statuses(h.run).child).toBe("pending");
    h.complete("train[1]");
    expect(statuses(h.run).child).toBe("ready");
    expect(verifyCounters(h.run)).toEqual([]);
  });

  it("retries an instance on its own, with the mapped task's num_retries", () => {
    const h = sweep();
    h.complete("prep", { shards: ["a"] });
    h.fail("train[0]");
    expect(statuses(h.run)["train[0]"]).toBe("ready");
    expect(h.run.attempt[at(h.run, "train[0]")]).toBe(2);
    h.fail("train[0]");
    expect(statuses(h.run)).toMatchObject({ "train[0]": "failed", train: "failed" });
  });

  it("fails the task with the reason when the map is not a list or cannot be evaluated", () => {
    const notList = sweep();
    notList.complete("prep", { shards: { a: 1 } });
    expect(statuses(notList.run)).toMatchObject({ train: "failed", agg: "upstream_failed" });
    expect(notList.reason("train")).toBe("map must give a list, got object");
    const missing = sweep();
    missing.complete("prep", { other: 1 });
    expect(missing.reason("train")).toMatch(/^map could not be evaluated: inputs\.prep\.shards: /);
  });

  it("fails the task over 10,000 items, or past the workflow's task limit, expanding nothing", () => {
    const h = sweep();
    h.complete("prep", { shards: Array.from({ length: LIMITS.maxMapItems + 1 }, (_, k) => k) });
    expect(h.reason("train")).toBe(
      "map gave 10001 items, more than the 10000 one map may expand into",
    );
    expect(h.run.size).toBe(3);
    // 9 maps of 10,000 and one of 9,990 fill the workflow's 100,000 tasks; one more item does not fit.
    const names = Array.from({ length: 10 }, (_, k) => `m${k}`);
    const wide = new Harness(
      dag({
        src: [],
        ...Object.fromEntries(names.map((n) => [n, { deps: ["src"], map: "inputs.src.big" }])),
      }),
    );
    wide.complete("src", { big: Array.from({ length: 10_000 }, (_, k) => k % 2) });
    const run = wide.run;
    expect(run.size).toBe(11 + 9 * 10_000);
    expect(wide.reason("m9")).toBe(
      "map gave 10000 items: the workflow would have 100011 tasks, more than the 100000 a workflow may have",
    );
    expect(taskName(run, 11 + 9 * 10_000 - 1)).toBe("m8[9999]");
    expect(verifyCounters(run)).toEqual([]);
  });

  it("a root map reads params, and a root condition over params is decided, not run", () => {
    const def = compileDefinition({
      name: "roots",
      params: { items: ["x", "y"], go: false },
      tasks: [
        { name: "fan", command: "x", map: "params.items" },
        { name: "gate", command: "x", condition: "params.go" },
      ],
    });
    const { run, transition } = createRun(def, "roots", T0);
    expect(statuses(run)).toEqual({
      fan: "running",
      gate: "skipped",
      "fan[0]": "ready",
      "fan[1]": "ready",
    });
    expect(transition.commands.map((c) => c.kind === "dispatch" && taskName(run, c.task))).toEqual([
      "fan[0]",
      "fan[1]",
    ]);
  });

  it("ignores reports for the mapped task itself, and late or duplicate ones for an instance", () => {
    const h = sweep();
    h.complete("prep", { shards: ["a", "b"] });
    const head = at(h.run, "train");
    const t = h.apply({ kind: "completed", task: head, attempt: 1 });
    expect(t.ignored.map((x) => x.why)).toEqual(["the task was mapped: its instances run, not it"]);
    h.fail("train[0]");
    const stale = h.complete("train[0]", { late: true }, 1);
    expect(stale.ignored).toHaveLength(1);
    h.complete("train[0]", { ok: 1 });
    const dup = h.complete("train[0]", { ok: 2 }, 2);
    expect(dup.ignored).toHaveLength(1);
    expect(h.run.outputs.get(at(h.run, "train[0]"))).toEqual({ ok: 1 });
    expect(verifyCounters(h.run)).toEqual([]);
  });

  it("records the expansion once, in the delta of its batch, and replays to the same state", () => {
    const h = sweep();
    const deltas = [snapshot(h.run)];
    deltas.push(h.complete("prep", { shards: Array.from({ length: 1000 }, (_, k) => k) }).delta);
    const expansion = deltas[1]!;
    expect(expansion.x).toEqual([[1, 3, Array.from({ length: 1000 }, (_, k) => k)]]);
    deltas.push(h.complete("train[500]", { v: 1 }).delta);
    // A later batch does not carry the items again: O(changes).
    expect(deltas[2]!.x).toBeUndefined();
    expect(JSON.stringify(deltas[2]).length).toBeLessThan(200);
    const rebuilt = restore(h.def, "wf-test", deltas[0]!, deltas.slice(1));
    expect(snapshot(rebuilt)).toEqual(snapshot(h.run));
    expect(verifyCounters(rebuilt)).toEqual([]);
    // From a snapshot too, and twice over the same delta.
    const again = restore(h.def, "wf-test", snapshot(h.run), deltas.slice(1));
    expect(snapshot(again)).toEqual(snapshot(h.run));
    expect(() =>
      restore(h.def, "x", deltas[0]!, [{ ...expansion, x: [[1, 7, [1]]] }]),
    ).toThrowError(DagqError);
  });

  it("lists and finds instances by name, in name order, by prefix", () => {
    const h = sweep();
    h.complete("prep", { shards: Array.from({ length: 12 }, (_, k) => k) });
    expect(findTask(h.run, "train[11]")).toBe(14);
    expect(findTask(h.run, "train[12]")).toBeUndefined();
    expect(findTask(h.run, "train[01]")).toBeUndefined();
    const names = queryTasks(h.run, { prefix: "train" }).tasks.map((t) => t.name);
    expect(names).toEqual([
      "train",
      "train[0]",
      "train[10]",
      "train[11]",
      "train[1]",
      ...[2, 3, 4, 5, 6, 7, 8, 9].map((k) => `train[${k}]`),
    ]);
    const page = queryTasks(h.run, { after: "train[11]", limit: 2 });
    expect(page.tasks.map((t) => t.name)).toEqual(["train[1]", "train[2]"]);
    const detail = taskDetail(h.run, at(h.run, "train[3]"));
    expect(detail.instance).toEqual({ of: "train", index: 3, item: 3 });
    expect(detail.dependencies.tasks).toEqual([{ name: "prep", status: "completed" }]);
    expect(detail.dependants.tasks).toEqual([{ name: "agg", status: "pending" }]);
    expect(taskDetail(h.run, at(h.run, "train")).map).toEqual({
      expression: "inputs.prep.shards",
      instances: 12,
    });
    expect(taskDetail(h.run, at(h.run, "agg")).dependencies.total).toBe(12);
  });

  it("cancel ends the instances and the mapped task, killing only what was dispatched", () => {
    const h = sweep();
    h.complete("prep", { shards: ["a", "b"] });
    const t = h.apply({ kind: "cancel" });
    expect(statuses(h.run)).toMatchObject({ train: "cancelled", "train[0]": "cancelled" });
    expect(t.commands.filter((c) => c.kind === "kill").map((c) => taskName(h.run, c.task))).toEqual(
      ["train[0]", "train[1]"],
    );
    expect(verifyCounters(h.run)).toEqual([]);
  });
});

describe("map and rerun", () => {
  it("reruns a failed instance and what it held up, keeping the expansion and the others", () => {
    const h = sweep({ train: { retries: 0 } });
    h.complete("prep", { shards: ["a", "b", "c"] });
    h.complete("train[0]");
    h.fail("train[1]");
    h.complete("train[2]");
    expect(h.run.wf.status).toBe("failed");
    const t = h.apply(rerun());
    expect(t.ignored).toEqual([]);
    expect(statuses(h.run)).toMatchObject({
      train: "running",
      "train[0]": "completed",
      "train[1]": "ready",
      agg: "pending",
    });
    expect(h.dispatched()).toEqual(["train[1]"]);
    expect(h.run.attempt[at(h.run, "train[1]")]).toBe(2);
    h.complete("train[1]");
    expect(statuses(h.run)).toMatchObject({ train: "completed", agg: "ready" });
    h.complete("agg");
    expect(h.run.wf.status).toBe("completed");
    expect(h.run.size).toBe(6);
    expect(verifyCounters(h.run)).toEqual([]);
  });

  it("naming the mapped task reruns its instances; --failed only those that did not succeed", () => {
    const h = sweep({ train: { retries: 0 } });
    h.complete("prep", { shards: ["a", "b"] });
    h.complete("train[0]");
    h.fail("train[1]");
    const snap = snapshot(h.run);
    h.apply(rerun({ tasks: [at(h.run, "train")] }));
    expect(h.dispatched().sort()).toEqual(["train[0]", "train[1]"]);
    const other = restore(h.def, "again", snap);
    expect(dispatchedBy(other, rerun({ tasks: [at(other, "train")], failed: true }))).toEqual([
      "train[1]",
    ]);
  });

  it("refuses to rerun a dependency the map expanded from: a map expands once", () => {
    const h = sweep({ train: { retries: 0 } });
    h.complete("prep", { shards: ["a"] });
    h.fail("train[0]");
    const t = h.apply(rerun({ tasks: [at(h.run, "prep")] }));
    expect(t.ignored[0]?.why).toBe(
      'rerunning "prep" would change what "train" was mapped from, and a map expands once: rerun its instances (the task "train"), or submit the workflow again',
    );
  });

  it("an empty or failed map is decided again from its dependencies' new outputs", () => {
    const h = sweep({ train: { retries: 0 } });
    h.complete("prep", { shards: "oops" });
    expect(statuses(h.run).train).toBe("failed");
    h.apply(rerun({ tasks: [at(h.run, "prep")], downstream: true }));
    h.complete("prep", { shards: ["x"] });
    expect(h.dispatched()).toEqual(["train[0]"]);
    h.complete("train[0]");
    h.complete("agg");
    expect(h.run.wf.status).toBe("completed");
    expect(verifyCounters(h.run)).toEqual([]);
  });
});

/** Applies one event to a run and names what it dispatched. */
function dispatchedBy(run: RunState, event: Event): string[] {
  return applyEvents(run, [event], T0)
    .commands.filter((c) => c.kind === "dispatch")
    .map((c) => taskName(run, c.task));
}

describe("map: checked at submission", () => {
  const issues = (tasks: unknown[], params?: Record<string, unknown>) => {
    try {
      compileDefinition({ name: "m", ...(params ? { params } : {}), tasks });
      return [];
    } catch (e) {
      return ((e as DagqError).details.issues ?? []).map((i) => `${i.path}: ${i.message}`);
    }
  };

  it("accepts a list from inputs, a glob, params or a literal, and names what it reads", () => {
    const def = compileDefinition({
      name: "m",
      params: { shards: [1] },
      tasks: [
        { name: "p/a", command: "x" },
        { name: "p/b", command: "x" },
        { name: "one", command: "x", depends_on: ["p/a"], map: "inputs['p/a'].items" },
        { name: "glob", command: "x", depends_on: ["p/*"], map: 'inputs["p/*"].n' },
        { name: "param", command: "x", map: "params.shards" },
        { name: "lit", command: "x", map: "[1, 2]" },
        { name: "down", command: "x", depends_on: ["one"], map: 'inputs["one[*]"]' },
      ],
    });
    expect([...def.conditionParents.get(def.index.get("glob")!)!]).toEqual([0, 1]);
    expect([...def.conditionParents.get(def.index.get("down")!)!]).toEqual([2]);
    expect(def.startsReady[def.index.get("param")!]).toBe(0);
    expect(def.startsReady[def.index.get("p/a")!]).toBe(1);
  });

  it("rejects a map that can never give a list, reads what it does not depend on, or a bad name", () => {
    expect(
      issues([
        { name: "a", command: "x" },
        { name: "b", command: "x", depends_on: ["a"], map: "inputs.a.n > 1" },
        { name: "c", command: "x", depends_on: ["a"], map: "inputs.z" },
        { name: "d", command: "x", map: "params.nope" },
        { name: "e", command: "x", map: "[1," },
      ]),
    ).toEqual([
      'tasks[1].map: task "b": inputs.a.n > 1: a map must give a list, got a single true/false value',
      'tasks[2].map: task "c": map reads inputs["z"], which is not in depends_on',
      'tasks[3].map: task "d": map reads params.nope, which the workflow does not declare',
      expect.stringMatching(/^tasks\[4\]\.map: /),
    ]);
  });

  it("a child reads a mapped dependency's instances through a glob, never by its own name", () => {
    expect(
      issues([
        { name: "m", command: "x", map: "[1]" },
        { name: "ok", command: "x", depends_on: ["m"], condition: 'all(inputs["m[*]"].ok)' },
        { name: "bad", command: "x", depends_on: ["m"], condition: "inputs.m.ok" },
      ]),
    ).toEqual([
      'tasks[2].condition: task "bad": condition reads inputs["m"], a mapped task: its instances\' outputs are read as inputs["m[*]"]',
    ]);
  });
});
