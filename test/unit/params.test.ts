import { describe, expect, it } from "vitest";
import {
  evaluateCondition,
  parseCondition,
  printCondition,
} from "../../src/core/condition/index.js";
import {
  compileDefinition,
  DagqError,
  MAX_TASK_MESSAGE_BYTES,
  taskMessageBytes,
} from "../../src/core/index.js";
import { Harness, statusOf } from "./fixtures.js";

const base = {
  name: "p",
  params: { lr: 0.01, optimizer: "adam", layers: [64, 32], cfg: { depth: 3 }, note: null },
  tasks: [{ name: "a", command: "x" }],
};

function issuesOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof DagqError)
      return (e.details.issues ?? []).map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  throw new Error("no error");
}

describe("params: declaring and overriding", () => {
  it("the compiled workflow holds the defaults, or the overrides in their place", () => {
    expect(compileDefinition(base).params).toEqual(base.params);
    const def = compileDefinition(base, { params: { lr: 0.1, note: { any: "thing" } } });
    expect(def.params).toEqual({ ...base.params, lr: 0.1, note: { any: "thing" } });
    // The stored definition is the resolved one.
    expect(def.definition.params).toEqual(def.params);
    expect(compileDefinition({ name: "n", tasks: [{ name: "a", command: "x" }] }).params).toEqual(
      {},
    );
  });

  it("refuses unknown names and values of another type than the default, each at its path", () => {
    expect(
      issuesOf(() =>
        compileDefinition(base, {
          params: { lx: 1, lr: "fast", layers: { a: 1 }, optimizer: 3, cfg: [1] },
        }),
      ),
    ).toEqual([
      'params.lx: no parameter "lx" in the definition (it has lr, optimizer, layers, cfg, note)',
      "params.lr: expected number (the type of its default), got string",
      "params.layers: expected list (the type of its default), got object",
      "params.optimizer: expected string (the type of its default), got number",
      "params.cfg: expected list (the type of its default), got list".replace(
        "expected list",
        "expected object",
      ),
    ]);
    expect(
      issuesOf(() =>
        compileDefinition(
          { name: "n", tasks: [{ name: "a", command: "x" }] },
          { params: { x: 1 } },
        ),
      ),
    ).toEqual(['params.x: no parameter "x" in the definition (it declares none)']);
  });

  it("refuses names that are not identifiers, reserved names, and too many", () => {
    const bad = (params: unknown) =>
      issuesOf(() => compileDefinition({ ...base, params })).join("\n");
    expect(bad({ "learning-rate": 1 })).toMatch(/parameter names are identifiers/);
    expect(bad(JSON.parse('{"__proto__": 1}'))).toMatch(/must not be __proto__/);
    expect(bad(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`p${i}`, i])))).toMatch(
      /at most 64 parameters/,
    );
  });

  it("counts the parameters in every task's message, and caps their size", () => {
    // A task 300 bytes under the limit, most of it env.
    const env = Object.fromEntries(
      Array.from({ length: 11 }, (_, i) => [`E${i}`, "v".repeat(4000)]),
    );
    const fill = MAX_TASK_MESSAGE_BYTES - 300 - taskMessageBytes("a", "", env, null);
    const command = "y".repeat(fill);
    const one = { name: "a", command, env };
    expect(taskMessageBytes("a", command, env, null)).toBe(MAX_TASK_MESSAGE_BYTES - 300);
    expect(() => compileDefinition({ name: "n", tasks: [one] })).not.toThrow();
    const withParams = { name: "n", params: { blob: "z".repeat(500) }, tasks: [one] };
    expect(issuesOf(() => compileDefinition(withParams))).toEqual([
      expect.stringMatching(
        /^tasks\[0\]\.command: .*command, env, name and the parameters as JSON.*over the queue limit/,
      ),
    ]);
    const huge = {
      name: "n",
      params: { blob: "z".repeat(17_000) },
      tasks: [{ name: "a", command: "x" }],
    };
    expect(issuesOf(() => compileDefinition(huge))).toEqual([
      expect.stringMatching(/^params: the parameters take \d+ bytes as JSON, over 16384/),
    ]);
  });
});

describe("params in conditions", () => {
  it('parses params.x and params["x"] and prints them back', () => {
    const c = parseCondition(
      'params.lr < 0.1 and params["optimizer"] == "adam" and params.cfg.depth > 2',
    );
    expect(c.params).toEqual(["lr", "optimizer", "cfg"]);
    expect(c.refs).toEqual([]);
    expect(printCondition(c.ast)).toBe(
      'params.lr < 0.1 and params.optimizer == "adam" and params.cfg.depth > 2',
    );
    expect(() => parseCondition("params")).toThrow(/"params" must be followed by a parameter name/);
    expect(() => parseCondition("params[1] == 1")).toThrow(/params\[\.\.\.\] takes a quoted name/);
  });

  it("evaluates against the workflow's values", () => {
    const c = parseCondition("params.lr < 0.1 and 64 in params.layers");
    expect(evaluateCondition(c, new Map(), { lr: 0.01, layers: [64] })).toEqual({
      ok: true,
      value: true,
    });
    expect(evaluateCondition(c, new Map(), { lr: 1, layers: [64] })).toEqual({
      ok: true,
      value: false,
    });
    expect(evaluateCondition(parseCondition("params.x == 1"), new Map(), {})).toEqual({
      ok: false,
      reason: 'params.x: no parameter "x"',
    });
  });

  it("is checked at submission: a parameter the workflow does not declare is refused", () => {
    expect(
      issuesOf(() =>
        compileDefinition({
          ...base,
          tasks: [
            { name: "a", command: "x" },
            { name: "b", command: "x", depends_on: ["a"], condition: "params.lrr > 0" },
          ],
        }),
      ),
    ).toEqual([
      'tasks[1].condition: task "b": condition reads params.lrr, which the workflow does not declare (did you mean "lr"?)',
    ]);
  });

  it("decides a task by the overridden value", () => {
    const def = (lr: number) =>
      compileDefinition(
        {
          ...base,
          defaults: { retry_backoff_s: 0 },
          tasks: [
            { name: "a", command: "x" },
            { name: "b", command: "x", depends_on: ["a"], condition: "params.lr < 0.05" },
          ],
        },
        { params: { lr } },
      );
    const small = new Harness(def(0.01));
    small.complete("a");
    expect(statusOf(small.run, "b")).toBe("ready");
    const big = new Harness(def(0.5));
    big.complete("a");
    expect(statusOf(big.run, "b")).toBe("skipped");
  });
});
