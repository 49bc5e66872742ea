import { describe, expect, it } from "vitest";
import { checkCondition, parseCondition } from "../../src/core/condition/index.js";

const problems = (source: string) => checkCondition(parseCondition(source));

const GLOB_HINT = "wrap it in all(...), any(...) or count(...)";

describe("checkCondition: accepts what can evaluate", () => {
  it.each([
    "inputs.A.score > 0.28 and inputs.B.loss < 0.1",
    'all(inputs["train/*"].loss < 0.1)',
    'any(inputs["eval/*"].f1 >= 0.9)',
    'count(inputs["sweep/*"].loss < 0.2) >= 450',
    'all(0.1 > inputs["train/*"].loss)',
    'all(inputs["t/*"].status in ["ok", "done"])',
    'any("gpu" in inputs["t/*"].tags)',
    'all(not inputs["t/*"].failed)',
    'max(-inputs["t/*"].loss) < 0',
    'min(inputs["t/*"].loss) < sum(inputs["t/*"].loss)',
    'avg(inputs["t/*"].m.f1) >= 0.5',
    "all(inputs.*.ok) and count(inputs.*.ok) > 1",
    // Unknown is always allowed: an output may hold a list of booleans, a number, anything.
    "inputs.A.ok",
    "not inputs.A.ok",
    "all(inputs.A.flags)",
    "count(inputs.A.flags) == sum(inputs.A.counts)",
    "inputs.A.x < inputs.B.y",
    "inputs.A.x in inputs.B.y",
    "inputs.A[inputs.B.key] == 1",
    "inputs.A[0] == inputs.A.list[-1]",
    "-inputs.A.x < 0",
    // Literals that fit.
    "all([])",
    "all([true, inputs.A.ok, 1 < 2])",
    "sum([1, inputs.A.x, -2]) > 0",
    '"a" < "b"',
    "1 in [1, 2]",
    '"a" in "abc"',
    '"a" in inputs.A',
    "null == inputs.A.x",
    "[1] == [inputs.A.x]",
    "[1, 2][0] == 1",
    // A glob inside a list literal is a plain list.
    '[inputs["t/*"].x] == [[1, 2]]',
    "true",
  ])("%s", (source) => {
    expect(problems(source)).toEqual([]);
  });
});

describe("checkCondition: rejects what can never evaluate", () => {
  it.each([
    // Aggregates over values that can never be a list of booleans or of numbers.
    [
      "all(inputs.A.x < 1)",
      "all(inputs.A.x < 1): all needs a list of true/false values, got a single true/false value",
    ],
    [
      'all(sum(inputs["a/*"].x))',
      'all(sum(inputs["a/*"].x)): all needs a list of true/false values, got a number',
    ],
    [
      "count([1, 2]) > 0",
      "count([1, 2]): count needs a list of true/false values, got a number at index 0",
    ],
    [
      'any([true, "yes"])',
      'any([true, "yes"]): any needs a list of true/false values, got a string at index 1',
    ],
    [
      'count(-inputs["a/*"].x) > 1',
      'count(-inputs["a/*"].x): count needs a list of true/false values, got one number per task of a glob',
    ],
    [
      'max(inputs["a/*"].x < 1) > 0',
      'max(inputs["a/*"].x < 1): max needs a list of numbers, got one true/false value per task of a glob',
    ],
    [
      'sum(inputs["a/*"].x in [1]) > 0',
      'sum(inputs["a/*"].x in [1]): sum needs a list of numbers, got one true/false value per task of a glob',
    ],
    ['avg([1, "2"]) > 0', 'avg([1, "2"]): avg needs a list of numbers, got a string at index 1'],
    ["min(3) > 0", "min(3): min needs a list of numbers, got a number"],
    ["any(null)", "any(null): any needs a list of true/false values, got null"],
    [
      'all([inputs["a/*"].ok])',
      'all([inputs["a/*"].ok]): all needs a list of true/false values, got a list at index 0',
    ],
    // Globs where one value is needed.
    [
      'inputs["a/*"].ok',
      `inputs["a/*"].ok: a condition must be true or false, got one value per task of a glob: ${GLOB_HINT}`,
    ],
    [
      'inputs["a/*"].x > 1',
      `inputs["a/*"].x > 1: a condition must be true or false, got one true/false value per task of a glob: ${GLOB_HINT}`,
    ],
    [
      "inputs.*.ok or true",
      `inputs.*.ok: or needs true or false, got one value per task of a glob: ${GLOB_HINT}`,
    ],
    [
      'any(inputs["a/*"].x == inputs["b/*"].x)',
      'inputs["a/*"].x == inputs["b/*"].x: cannot compare two globs element by element: compare one with a single value, or aggregate each first',
    ],
    [
      'inputs.A[inputs["a/*"].k] == 1',
      'inputs.A[inputs["a/*"].k]: an index must be a string or a number, got one value per task of a glob',
    ],
    // Operators over literal types they never accept.
    ['"a" < 1', '"a" < 1: < needs two numbers or two strings, got a string and a number'],
    [
      "inputs.A.x >= true",
      "inputs.A.x >= true: >= needs two numbers or two strings, got a single true/false value",
    ],
    ["null > inputs.A.x", "null > inputs.A.x: > needs two numbers or two strings, got null"],
    ["[1] <= [2]", "[1] <= [2]: <= needs two numbers or two strings, got a list"],
    ["1 in 2", "1 in 2: in needs a list, a string or an object on the right, got a number"],
    [
      "inputs.A.x not in true",
      "inputs.A.x not in true: not in needs a list, a string or an object on the right, got a single true/false value",
    ],
    ['1 in "abc"', '1 in "abc": in needs a string on the left of a string, got a number'],
    ["not 1", "1: not needs true or false, got a number"],
    [
      'all(not -inputs["a/*"].x)',
      '-inputs["a/*"].x: not needs true or false, got one number per task of a glob',
    ],
    ['-"a" < 0', '-"a": unary - needs a number, got a string'],
    ["-(1 < 2) < 0", "-(1 < 2): unary - needs a number, got a single true/false value"],
    ["inputs.A.x and 1", "1: and needs true or false, got a number"],
    ['"yes" or inputs.A.x', '"yes": or needs true or false, got a string'],
    [
      "inputs.A[true] == 1",
      "inputs.A[true]: an index must be a string or a number, got a single true/false value",
    ],
    ["inputs.A[null] == 1", "inputs.A[null]: an index must be a string or a number, got null"],
    ["(1).x == 1", '(1).x: cannot read field "x" of a number'],
    ['"s".length == 1', '"s".length: cannot read field "length" of a string'],
    ["[1].x == 1", '[1].x: cannot read field "x" of a list'],
    ["null[0] == 1", "null[0]: cannot index null"],
    ["(1 < 2)[0] == 1", "(1 < 2)[0]: cannot index a single true/false value"],
    // The whole condition.
    ["1", "1: a condition must be true or false, got a number"],
    ['"true"', '"true": a condition must be true or false, got a string'],
    ["[true]", "[true]: a condition must be true or false, got a list"],
    ["null", "null: a condition must be true or false, got null"],
    [
      'count(inputs["a/*"].ok)',
      'count(inputs["a/*"].ok): a condition must be true or false, got a number',
    ],
  ])("%s", (source, problem) => {
    expect(problems(source)).toEqual([problem]);
  });

  it("reports every problem once, without knock-on problems from the same spot", () => {
    expect(problems('all("a" < 1) and 2')).toEqual([
      '"a" < 1: < needs two numbers or two strings, got a string and a number',
      "2: and needs true or false, got a number",
    ]);
    expect(problems("not (1).x")).toEqual(['(1).x: cannot read field "x" of a number']);
    expect(problems("count([1, 2, 3]) > 0")).toHaveLength(1);
  });

  it("cuts long expressions short", () => {
    const list = `[${Array.from({ length: 100 }, (_, i) => i).join(", ")}]`;
    const [problem] = problems(`all(${list})`);
    expect(problem).toMatch(/^all\(\[0, 1, 2.{150,}…: all needs a list of true\/false values/);
    expect(problem!.indexOf(":")).toBeLessThanOrEqual(202);
  });
});
