import { describe, expect, it } from "vitest";
import {
  compileDefinition,
  DagqError,
  ErrorCode,
  type Issue,
  workflow,
} from "../../src/core/index.js";

function issuesOf(input: unknown): Issue[] {
  try {
    compileDefinition(input);
  } catch (e) {
    if (e instanceof DagqError) return [...(e.details.issues ?? [])];
    throw e;
  }
  throw new Error("expected the definition to be rejected");
}

const t = (name: string, depends_on: string[] = [], extra: Record<string, unknown> = {}) => ({
  name,
  command: "true",
  depends_on,
  ...extra,
});

describe("compileDefinition", () => {
  it("applies defaults a user expects", () => {
    const def = compileDefinition({ name: "w", tasks: [t("a"), t("b", ["a"])] });
    expect(def.tasks[1]).toMatchObject({
      depPolicy: "all",
      numRetries: 0,
      retryBackoffS: 1,
      timeoutS: null,
      queue: "default",
      env: {},
    });
    expect([...def.need]).toEqual([0, 1]);
    expect([...def.layer]).toEqual([0, 1]);
  });

  it("merges workflow defaults with task settings, the task winning", () => {
    const def = compileDefinition({
      name: "w",
      defaults: { num_retries: 2, queue: "gpu", env: { A: "1", B: "2" } },
      tasks: [t("a", [], { env: { B: "3" }, num_retries: 0 })],
    });
    expect(def.tasks[0]).toMatchObject({ numRetries: 0, queue: "gpu", env: { A: "1", B: "3" } });
  });

  it("rejects unknown dependencies, naming the task and suggesting a near name", () => {
    const issues = issuesOf({ name: "w", tasks: [t("test"), t("b", ["test", "tset"])] });
    expect(issues).toEqual([
      {
        path: "tasks[1].depends_on[1]",
        code: ErrorCode.UNKNOWN_TASK,
        message: 'task "b": depends on unknown task "tset" (did you mean "test"?)',
      },
    ]);
  });

  it("rejects duplicate names", () => {
    expect(issuesOf({ name: "w", tasks: [t("a"), t("a")] })[0]).toMatchObject({
      path: "tasks[1].name",
      code: ErrorCode.DUPLICATE_TASK,
      message: 'task "a": duplicate task name (first defined at tasks[0])',
    });
  });

  it("prints the cycle path", () => {
    const issues = issuesOf({
      name: "w",
      tasks: [t("a", ["c"]), t("b", ["a"]), t("c", ["b"]), t("d")],
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.code).toBe(ErrorCode.CYCLE);
    expect(issues[0]!.message).toBe(
      'task "a": is part of a dependency cycle: a -> c -> b -> a (A -> B: A depends on B)',
    );
  });

  it("rejects self-dependencies and repeated dependencies", () => {
    expect(issuesOf({ name: "w", tasks: [t("a", ["a"])] })[0]!.message).toBe(
      'task "a": depends on itself',
    );
    expect(issuesOf({ name: "w", tasks: [t("a"), t("b", ["a", "a"])] })[0]!.message).toBe(
      'task "b": lists "a" twice',
    );
  });

  it("rejects a condition reading a task outside depends_on, and a glob matching nothing", () => {
    const issues = issuesOf({
      name: "w",
      tasks: [
        t("a"),
        t("x"),
        t("b", ["a"], { condition: "inputs.x.ok" }),
        t("c", ["a"], { condition: 'all(inputs["train/*"].ok)' }),
      ],
    });
    expect(issues.map((i) => [i.path, i.code, i.message])).toEqual([
      [
        "tasks[2].condition",
        ErrorCode.CONDITION_REFERENCE,
        'task "b": condition reads inputs["x"], which is not in depends_on',
      ],
      [
        "tasks[3].condition",
        ErrorCode.CONDITION_REFERENCE,
        'task "c": inputs["train/*"] matches none of depends_on',
      ],
    ]);
  });

  it("rejects condition syntax errors, naming the task", () => {
    const [issue] = issuesOf({
      name: "w",
      tasks: [t("a"), t("b", ["a"], { condition: "inputs.a.x >" })],
    });
    expect(issue!.path).toBe("tasks[1].condition");
    expect(issue!.code).toBe(ErrorCode.CONDITION_SYNTAX);
    expect(issue!.message).toMatch(/^task "b": .*column/);
  });

  it("rejects conditions that can never evaluate, with CONDITION_TYPE at the task's condition", () => {
    const issues = issuesOf({
      name: "w",
      tasks: [
        t("a"),
        t("train/x"),
        t("ok", ["a", "train/x"], { condition: 'all(inputs["train/*"].loss < 0.1)' }),
        t("single", ["a"], { condition: "all(inputs.a.x < 1)" }),
        t("nums", ["a"], { condition: "count([1, 2]) > 0" }),
        t("glob", ["train/x"], { condition: 'inputs["train/*"].ok' }),
        t("two", ["a", "train/x"], { condition: "any(inputs.*.x == inputs.*.y)" }),
      ],
    });
    expect(issues.map((i) => [i.path, i.code, i.message])).toEqual([
      [
        "tasks[3].condition",
        ErrorCode.CONDITION_TYPE,
        'task "single": all(inputs.a.x < 1): all needs a list of true/false values, got a single true/false value',
      ],
      [
        "tasks[4].condition",
        ErrorCode.CONDITION_TYPE,
        'task "nums": count([1, 2]): count needs a list of true/false values, got a number at index 0',
      ],
      [
        "tasks[5].condition",
        ErrorCode.CONDITION_TYPE,
        'task "glob": inputs["train/*"].ok: a condition must be true or false, got one value per task of a glob: wrap it in all(...), any(...) or count(...)',
      ],
      [
        "tasks[6].condition",
        ErrorCode.CONDITION_TYPE,
        'task "two": inputs.*.x == inputs.*.y: cannot compare two globs element by element: compare one with a single value, or aggregate each first',
      ],
    ]);
  });

  it("accepts inputs.* as every dependency, and rejects it on a task with none", () => {
    const def = compileDefinition({
      name: "w",
      tasks: [t("a"), t("b/c"), t("d", ["a", "b/c"], { condition: "all(inputs.*.ok)" })],
    });
    expect([...def.conditionParents.get(2)!]).toEqual([0, 1]);
    expect(
      issuesOf({ name: "w", tasks: [t("a", [], { condition: 'all(inputs["*"].ok)' })] }),
    ).toEqual([
      {
        path: "tasks[0].condition",
        code: ErrorCode.CONDITION_REFERENCE,
        message: 'task "a": inputs["*"] matches none of depends_on',
      },
    ]);
  });

  it("rejects N larger than the number of parents, and N on a root", () => {
    expect(
      issuesOf({ name: "w", tasks: [t("a"), t("b", ["a"], { dep_policy: 2 })] })[0]!.message,
    ).toBe('task "b": dep_policy 2 is more than its 1 dependencies');
    expect(issuesOf({ name: "w", tasks: [t("a", [], { dep_policy: 1 })] })[0]!.code).toBe(
      ErrorCode.BAD_DEP_POLICY,
    );
  });

  it("rejects schema violations with paths and the task's name", () => {
    const issues = issuesOf({
      name: "w",
      tasks: [
        { name: "bad name", command: "" },
        { name: "ok", command: "x", depend_on: [] },
      ],
    });
    expect(issues.map((i) => i.path)).toEqual([
      "tasks[0].name",
      "tasks[0].command",
      "tasks[1].depend_on",
    ]);
    expect(issues[0]!.message).toMatch(/^task "bad name": task names use letters/);
    expect(issues[2]!.message).toBe(
      'task "ok": unknown key "depend_on" (did you mean "depends_on"?)',
    );
  });

  it("rejects empty workflows, reserved env names and bad queues", () => {
    expect(issuesOf({ name: "w", tasks: [] })[0]!.message).toBe(
      "a workflow needs at least one task",
    );
    expect(
      issuesOf({ name: "w", tasks: [t("a", [], { env: { DAGQ_TASK: "x" } })] })[0]!.message,
    ).toMatch(/reserved/);
    expect(issuesOf({ name: "w", tasks: [t("a", [], { queue: "Bad_Queue" })] })[0]!.path).toBe(
      "tasks[0].queue",
    );
  });

  it("accepts grouped names and Service Bus queues", () => {
    const def = compileDefinition({
      name: "w",
      tasks: [
        t("prep/featurize"),
        t("train/rf", ["prep/featurize"], { queue: "sb://acme-ml.servicebus.windows.net/gpu" }),
      ],
    });
    expect(def.index.get("train/rf")).toBe(1);
  });

  it("handles a 100,000-task chain without recursion limits", () => {
    const tasks = Array.from({ length: 100_000 }, (_, i) => t(`t${i}`, i ? [`t${i - 1}`] : []));
    const def = compileDefinition({ name: "chain", tasks });
    expect(def.layer[99_999]).toBe(99_999);
    tasks[0]!.depends_on = ["t99999"];
    const issues = issuesOf({ name: "chain", tasks });
    expect(issues[0]!.code).toBe(ErrorCode.CYCLE);
  });

  it("reports every problem at once", () => {
    expect(issuesOf({ name: "w", tasks: [t("a", ["x"]), t("b", ["y"]), t("a")] })).toHaveLength(3);
  });
});

describe("builder", () => {
  it("produces the same definition as the file format", () => {
    const wf = workflow("ml", { defaults: { numRetries: 1 }, description: "d", maxParallelism: 4 });
    const prep = wf.task("prep/featurize", { command: "prep" });
    wf.task("train/rf", {
      command: "rf",
      dependsOn: [prep],
      condition: 'inputs["prep/featurize"].ok',
      timeoutS: 60,
    });
    expect(wf.build()).toEqual(
      compileDefinition({
        name: "ml",
        description: "d",
        max_parallelism: 4,
        defaults: { num_retries: 1 },
        tasks: [
          { name: "prep/featurize", command: "prep" },
          {
            name: "train/rf",
            command: "rf",
            depends_on: ["prep/featurize"],
            condition: 'inputs["prep/featurize"].ok',
            timeout_s: 60,
          },
        ],
      }).definition,
    );
  });

  it("rejects what validate rejects: a cycle, an unknown dependency", () => {
    const wf = workflow("loop");
    wf.task("a", { command: "x", dependsOn: ["b"] });
    wf.task("b", { command: "x", dependsOn: ["a"] });
    expect(() => wf.build()).toThrow(/dependency cycle/);
    const unknown = workflow("u");
    unknown.task("a", { command: "x", dependsOn: ["nope"] });
    expect(() => unknown.build()).toThrow(/unknown task "nope"/);
  });
});
