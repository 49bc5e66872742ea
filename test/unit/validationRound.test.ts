import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileDefinition, DagqError } from "../../src/core/index.js";
import { suggestKey } from "../../src/core/schemaIssues.js";
import { loadDefinitionFile } from "../../src/definitionFile.js";
import { statsLine } from "../../src/host/statsReporter.js";

function issuesOf(input: unknown): Array<{ path: string; message: string }> {
  try {
    compileDefinition(input);
  } catch (e) {
    if (e instanceof DagqError)
      return (e.details.issues ?? []).map(({ path, message }) => ({ path, message }));
    throw e;
  }
  throw new Error("accepted");
}

describe("validation says everything in one round", () => {
  const broken = {
    name: "w",
    tasks: [
      { name: "a", command: "echo", depend_on: ["b"], timeout: 5 },
      { name: "b", command: "echo", dep_policy: "most", num_retries: "2" },
      { name: "c", command: "echo", depends_on: ["zz", "d"] },
      { name: "d", command: "echo", depends_on: ["c"] },
      { name: "a", command: "echo" },
    ],
  };

  it("shape, names and graph together, each with its path", () => {
    expect(issuesOf(broken).map((i) => i.path)).toEqual([
      "tasks[0].depend_on",
      "tasks[0].timeout",
      "tasks[1].dep_policy",
      "tasks[1].num_retries",
      "tasks[4].name",
      "tasks[2].depends_on[0]",
      "tasks[2].depends_on",
    ]);
  });

  it("in words: did-you-mean for unknown keys, the valid values, what was found, a hint", () => {
    const byPath = Object.fromEntries(issuesOf(broken).map((i) => [i.path, i.message]));
    expect(byPath["tasks[0].depend_on"]).toBe(
      'task "a": unknown key "depend_on" (did you mean "depends_on"?)',
    );
    expect(byPath["tasks[0].timeout"]).toBe(
      'task "a": unknown key "timeout" (did you mean "timeout_s"?)',
    );
    expect(byPath["tasks[1].dep_policy"]).toBe(
      'task "b": dep_policy is one of "all", "any", "all_settled", "always" or an integer N ≥ 1 (at least N parents completed); got the string "most"',
    );
    expect(byPath["tasks[1].num_retries"]).toBe(
      'task "b": expected a number, got the string "2" (write it without quotes: num_retries: 2)',
    );
    expect(byPath["tasks[4].name"]).toMatch(/duplicate task name/);
    expect(byPath["tasks[2].depends_on[0]"]).toMatch(/unknown task "zz"/);
    expect(byPath["tasks[2].depends_on"]).toMatch(/dependency cycle: c -> d -> c/);
  });

  it("no bare library message reaches the user", () => {
    const issues = issuesOf({
      name: "w",
      defaults: { retries: 1, condition_errors: "ignore" },
      result_policy: "most",
      tasks: [{ name: "a", command: 5, env: "X=1", depends_on: "b" }, { command: "x" }],
    });
    for (const i of issues) {
      expect(i.message).not.toMatch(/Invalid input|received|Unrecognized key/);
      expect(i.path).not.toBe("");
    }
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath["defaults.retries"]).toBe('unknown key "retries" (did you mean "num_retries"?)');
    expect(byPath["defaults.condition_errors"]).toBe(
      'condition_errors is one of "skip", "fail"; got the string "ignore"',
    );
    expect(byPath.result_policy).toBe(
      'result_policy is one of "sinks", "all_tasks"; got the string "most"',
    );
    expect(byPath["tasks[0].depends_on"]).toBe(
      'task "a": expected a list (e.g. [a, b]), got the string "b"',
    );
    expect(byPath["tasks[1].name"]).toBe('"name" is required: a string');
  });

  it("suggests keys by case, separator, camelCase, prefix and small typos", () => {
    const keys = ["depends_on", "timeout_s", "num_retries", "retry_backoff_s"];
    expect(suggestKey("dependsOn", keys)).toBe(' (did you mean "depends_on"?)');
    expect(suggestKey("depends-on", keys)).toBe(' (did you mean "depends_on"?)');
    expect(suggestKey("timeout", keys)).toBe(' (did you mean "timeout_s"?)');
    expect(suggestKey("num_retires", keys)).toBe(' (did you mean "num_retries"?)');
    expect(suggestKey("colour", keys)).toBe("");
  });
});

describe("the unquoted command in YAML", () => {
  const dir = mkdtempSync(join(tmpdir(), "dagq-yaml-"));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const messageOf = (path: string) => {
    try {
      loadDefinitionFile(path);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error("accepted");
  };

  it("gets one hint to quote it or write a block, not the parser's errors", () => {
    const path = file(
      "q.yaml",
      `name: q\ntasks:\n  - name: a\n    command: printf '{"rows": 5000}' > "$DAGQ_OUTPUT"\n`,
    );
    const message = messageOf(path);
    expect(message).toBe(
      [
        `${path}: invalid YAML: line 4: the value of "command" is not quoted, and YAML reads its quotes, ": " or braces as structure:`,
        `    command: printf '{"rows": 5000}' > "$DAGQ_OUTPUT"`,
        "write it as a block (nothing to escape):",
        "    command: |",
        `      printf '{"rows": 5000}' > "$DAGQ_OUTPUT"`,
        `or quote it as a whole: command: "printf '{\\"rows\\": 5000}' > \\"$DAGQ_OUTPUT\\""`,
      ].join("\n"),
    );
    // The block the hint proposes is valid and means the command.
    const fixed = file(
      "fixed.yaml",
      `name: q\ntasks:\n  - name: a\n    command: |\n      printf '{"rows": 5000}' > "$DAGQ_OUTPUT"\n`,
    );
    expect(loadDefinitionFile(fixed).tasks[0]!.command).toBe(
      `printf '{"rows": 5000}' > "$DAGQ_OUTPUT"\n`,
    );
  });

  it("a command YAML read as a mapping gets the same hint", () => {
    const path = file("m.yaml", 'name: q\ntasks:\n  - name: a\n    command: {"rows": 5}\n');
    expect(messageOf(path)).toMatch(
      /tasks\[0\]\.command: task "a": expected a string, got a mapping \(YAML read the text as structure: quote it as a whole, or write it as a block with "command: \|"/,
    );
  });
});

describe("the local host's stats line", () => {
  const snap = (at: number, counters: Record<string, number>) => ({
    at,
    counters: new Map(Object.entries(counters)),
    observations: new Map(),
  });
  it("is silent while only timers, sweeps' visits and reads happen", () => {
    const idle = { "host.timer.runs": 3, "sweep.visited": 10, "host.http.requests": 40 };
    expect(statsLine(snap(0, {}), snap(10_000, idle))).toBeNull();
  });
  it("speaks when something happened", () => {
    expect(statsLine(snap(0, {}), snap(10_000, { "completions.received": 5 }))).toMatch(
      /^stats 10s: completions 5 \(0\.5\/s\)/,
    );
  });
});

describe("a document nested deeper than a copy can walk", () => {
  it("is an invalid definition with its issues, not a stack overflow (found by the HTTP fuzz)", () => {
    const deep = JSON.parse(`${'{"a":'.repeat(25_000)}1${"}".repeat(25_000)}`);
    expect(() => compileDefinition(deep)).toThrow(/"tasks" is required/);
    const inTask = { name: "x", tasks: [{ name: "a", command: "true", env: deep }] };
    expect(() => compileDefinition(inTask)).toThrow(/tasks\[0\]\.env\.a/);
  });
});
