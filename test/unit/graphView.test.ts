import { describe, expect, it } from "vitest";
import { GRAPH_LIMITS, graphShape, graphView, groupOf } from "../../src/core/graphView.js";
import { compileDefinition } from "../../src/core/index.js";
import { dag, Harness } from "./fixtures.js";

/** A wide workflow: prep/load → `shards` × work/NNNNN → merge/all, plus a train/ group of 3. */
function wide(shards: number) {
  const tasks = [{ name: "prep/load", command: "x" }];
  for (let k = 0; k < shards; k++)
    tasks.push({
      name: `work/${String(k).padStart(5, "0")}`,
      command: "x",
      depends_on: ["prep/load"],
    } as never);
  const work = tasks.slice(1).map((t) => t.name);
  tasks.push({ name: "merge/all", command: "x", depends_on: work } as never);
  for (const m of ["a", "b", "c"])
    tasks.push({ name: `train/${m}`, command: "x", depends_on: ["merge/all"] } as never);
  return compileDefinition({ name: "wide", tasks });
}

describe("groupOf", () => {
  it("is the name up to its last slash, and / for a name without one", () => {
    expect(groupOf("train/rf")).toBe("train/");
    expect(groupOf("a/b/c")).toBe("a/b/");
    expect(groupOf("solo")).toBe("/");
  });
});

describe("graphShape", () => {
  it("draws a small workflow task by task, with its depends_on edges", () => {
    const def = dag({
      "prep/a": [],
      "train/b": ["prep/a"],
      "train/c": ["prep/a"],
      d: ["train/b", "train/c"],
    });
    const h = new Harness(def);
    h.start("prep/a");
    const view = graphView(graphShape(def), h.run);
    expect(view.mode).toBe("tasks");
    const names = view.nodes.map((n) => (n.kind === "task" ? `${n.name}:${n.state}` : "?"));
    expect(names).toEqual(["prep/a:running", "train/b:pending", "train/c:pending", "d:pending"]);
    const edges = view.edges.map(
      ([a, b]) => `${names[a]!.split(":")[0]}->${names[b]!.split(":")[0]}`,
    );
    expect(edges.sort()).toEqual([
      "prep/a->train/b",
      "prep/a->train/c",
      "train/b->d",
      "train/c->d",
    ]);
  });

  it("collapses a large workflow by group and layer, with counts and edges between nodes", () => {
    const def = wide(20_000);
    const h = new Harness(def);
    h.complete("prep/load");
    h.start("work/00000");
    h.fail("work/00001");
    const view = graphView(graphShape(def), h.run);
    expect(view.mode).toBe("groups");
    const byGroup = Object.fromEntries(
      view.nodes.map((n) => [n.kind === "group" ? `${n.group}@${n.layers.join("-")}` : n.id, n]),
    );
    expect(Object.keys(byGroup).sort()).toEqual([
      "merge/@2-2",
      "prep/@0-0",
      "train/@3-3",
      "work/@1-1",
    ]);
    const work = byGroup["work/@1-1"]!;
    expect(work.kind === "group" && work.total).toBe(20_000);
    // The counts add up to the total and carry only the states that occur.
    expect(work.kind === "group" && work.counts).toEqual({ ready: 19_998, running: 1, failed: 1 });
    const label = (k: number) => {
      const n = view.nodes[k]!;
      return n.kind === "group" ? n.group : n.id;
    };
    expect(view.edges.map(([a, b]) => `${label(a)}->${label(b)}`).sort()).toEqual([
      "merge/->train/",
      "prep/->work/",
      "work/->merge/",
    ]);
    expect(view.groups[0]).toEqual({ group: "work/", tasks: 20_000 });
  });

  it("expands a group into its tasks, linked to the collapsed nodes around them", () => {
    const def = wide(1000);
    const view = graphView(graphShape(def, ["train/"]), new Harness(def).run);
    const tasks = view.nodes
      .filter((n) => n.kind === "task")
      .map((n) => n.kind === "task" && n.name);
    expect(tasks).toEqual(["train/a", "train/b", "train/c"]);
    const merge = view.nodes.findIndex((n) => n.kind === "group" && n.group === "merge/");
    const intoTrain = view.edges.filter(([a]) => a === merge).map(([, b]) => view.nodes[b]!.id);
    expect(intoTrain.sort()).toEqual(["t:train/a", "t:train/b", "t:train/c"]);
  });

  it("refuses to expand an unknown group or more tasks than can be drawn, naming them", () => {
    const def = wide(1000);
    expect(() => graphShape(def, ["nope/"])).toThrow('expand: no group "nope/" in this workflow');
    expect(() => graphShape(def, ["work/"])).toThrow(
      /work\/ \(1000\) hold 1000 tasks, more than the 200/,
    );
  });

  it("merges layers into ranges when a long chain would give too many nodes", () => {
    const n = 5000;
    const tasks = Array.from({ length: n }, (_, k) => ({
      name: `step/${k}`,
      command: "x",
      depends_on: k === 0 ? [] : [`step/${k - 1}`],
    }));
    const def = compileDefinition({ name: "chain", tasks });
    const view = graphView(graphShape(def), new Harness(def).run);
    expect(view.nodes.length).toBeLessThanOrEqual(GRAPH_LIMITS.collapsedNodes);
    // Every task is in exactly one node, and the ranges tile the layers without overlap.
    let covered = 0;
    let next = 0;
    for (const node of view.nodes) {
      if (node.kind !== "group") throw new Error("expected groups only");
      expect(node.layers[0]).toBe(next);
      next = node.layers[1] + 1;
      covered += node.total;
    }
    expect(covered).toBe(n);
    expect(next).toBe(n);
  });

  it("gathers the smallest groups in one node when there are too many groups", () => {
    const tasks = Array.from({ length: 1000 }, (_, k) => ({ name: `g${k}/t`, command: "x" }));
    tasks.push(...Array.from({ length: 5 }, (_, k) => ({ name: `big/${k}`, command: "x" })));
    const def = compileDefinition({ name: "many", tasks });
    const view = graphView(graphShape(def), new Harness(def).run);
    expect(view.nodes.length).toBeLessThanOrEqual(GRAPH_LIMITS.collapsedNodes);
    expect(view.nodes.some((n) => n.kind === "group" && n.group === "big/")).toBe(true);
    const other = view.nodes.find((n) => n.kind === "group" && n.group === "*");
    const total = view.nodes.reduce((s, n) => s + (n.kind === "group" ? n.total : 1), 0);
    expect(other).toBeDefined();
    expect(total).toBe(1005);
  });
});
