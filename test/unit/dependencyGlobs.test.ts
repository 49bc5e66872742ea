import { describe, expect, it } from "vitest";
import { compileDefinition, DagqError } from "../../src/core/index.js";
import { Harness, statusOf } from "./fixtures.js";

const parentsOf = (def: ReturnType<typeof compileDefinition>, name: string) => {
  const i = def.index.get(name)!;
  return [...def.parents.subarray(def.parentStart[i]!, def.parentStart[i + 1]!)].map(
    (p) => def.tasks[p]!.name,
  );
};

function issuesOf(input: unknown): string[] {
  try {
    compileDefinition(input);
  } catch (e) {
    if (e instanceof DagqError)
      return (e.details.issues ?? []).map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

const sweep = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ name: `sweep/${i}`, command: "x" }));

describe("globs in depends_on", () => {
  it("expand to every matching task but the task itself, in definition order", () => {
    const def = compileDefinition({
      name: "g",
      tasks: [
        { name: "sweep/b", command: "x" },
        { name: "prep", command: "x" },
        { name: "sweep/a", command: "x" },
        { name: "sweep/agg", command: "x", depends_on: ["sweep/*", "prep"] },
        { name: "report", command: "x", depends_on: ["sweep/?", "sweep/agg", "sweep/*"] },
      ],
    });
    expect(parentsOf(def, "sweep/agg")).toEqual(["sweep/b", "sweep/a", "prep"]);
    // A task named and matched again is one dependency.
    expect(parentsOf(def, "report")).toEqual(["sweep/b", "sweep/a", "sweep/agg"]);
  });

  it("a glob that matches nothing is an error naming it; a name listed twice still is", () => {
    expect(
      issuesOf({
        name: "g",
        tasks: [
          { name: "a", command: "x", depends_on: ["trian/*"] },
          { name: "b", command: "x", depends_on: ["b*"] },
          { name: "c", command: "x", depends_on: ["a", "a"] },
        ],
      }),
    ).toEqual([
      'tasks[0].depends_on[0]: task "a": "trian/*" matches no task',
      'tasks[1].depends_on[0]: task "b": "b*" matches no task but this one',
      'tasks[2].depends_on[1]: task "c": lists "a" twice',
    ]);
  });

  it("a condition reads the tasks a glob dependency matched", () => {
    const def = compileDefinition({
      name: "g",
      defaults: { retry_backoff_s: 0 },
      tasks: [
        ...sweep(3),
        {
          name: "best",
          command: "x",
          depends_on: ["sweep/*"],
          condition: 'max(inputs["sweep/*"].v) > 1',
        },
      ],
    });
    const h = new Harness(def);
    h.complete("sweep/0", { v: 0 });
    h.complete("sweep/1", { v: 2 });
    h.complete("sweep/2", { v: 1 });
    expect(statusOf(h.run, "best")).toBe("ready");
  });

  it("a 500-task sweep's aggregate, in a 100,000-task workflow, compiles quickly", () => {
    const tasks = [
      ...Array.from({ length: 99_499 }, (_, i) => ({ name: `other/${i}`, command: "x" })),
      ...sweep(500),
      { name: "agg", command: "x", depends_on: ["sweep/*"] },
    ];
    const t0 = performance.now();
    const def = compileDefinition({ name: "big", tasks });
    expect(parentsOf(def, "agg")).toHaveLength(500);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it("caps the matching work of patterns with no literal prefix", () => {
    const tasks = [
      ...sweep(10_000),
      ...Array.from({ length: 1001 }, (_, i) => ({
        name: `agg/${i}`,
        command: "x",
        depends_on: [`*p/${i}`],
      })),
    ];
    const issues = issuesOf({ name: "g", tasks });
    expect(issues[0]).toMatch(/globs of depends_on compare more than 10000000 names in all/);
  });
});
