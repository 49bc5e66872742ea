import { describe, expect, it } from "vitest";
import { evaluateCondition, parseCondition } from "../../src/core/condition/index.js";
import type { Json } from "../../src/core/json.js";

const OUTPUTS: Record<string, Json> = {
  A: { score: 0.3, tags: ["gpu", "fast"], mode: "c", x: 1, list: [10, 20, 30], nothing: null },
  B: { loss: 0.05, key: "score", i: 1 },
  "prep/featurize": { metrics: { "f1-score": 0.95 } },
  "train/rf": { status: "ok", ok: true, metrics: { f1: 0.8 }, hist: [1, 2] },
  "train/gnn": { status: "bad", ok: false, metrics: { f1: 0.9 }, hist: [3] },
  "train/x/deep": { status: "ok", ok: true, metrics: { f1: 0.7 }, hist: [4, 5, 6] },
  N: null,
};
const inputs = (outputs: Record<string, Json> = OUTPUTS) => new Map(Object.entries(outputs));

function run(source: string, outputs?: Record<string, Json>) {
  return evaluateCondition(parseCondition(source), inputs(outputs));
}
const yes = (source: string, outputs?: Record<string, Json>) =>
  expect(run(source, outputs)).toEqual({ ok: true, value: true });
const no = (source: string, outputs?: Record<string, Json>) =>
  expect(run(source, outputs)).toEqual({ ok: true, value: false });
const why = (source: string, outputs?: Record<string, Json>) => {
  const result = run(source, outputs);
  if (result.ok) throw new Error(`expected ${source} to fail, got ${result.value}`);
  return result.reason;
};

describe("evaluateCondition: the examples", () => {
  it("evaluates comparisons joined by and", () => {
    yes("inputs.A.score > 0.28 and inputs.B.loss < 0.1");
    no("inputs.A.score > 0.31 and inputs.B.loss < 0.1");
    no("inputs.A.score > 0.28 and inputs.B.loss < 0.01");
  });

  it("reads names with slashes and fields with dashes", () => {
    yes('inputs["prep/featurize"].metrics["f1-score"] >= 0.9');
    no('inputs["prep/featurize"].metrics["f1-score"] >= 0.96');
  });

  it("evaluates or", () => {
    yes('inputs["train/rf"].status == "ok" or inputs["train/gnn"].status == "ok"');
    no('inputs["train/rf"].status == "no" or inputs["train/gnn"].status == "ok"');
  });

  it("evaluates in, not in and not", () => {
    yes('"gpu" in inputs.A.tags');
    no('"tpu" in inputs.A.tags');
    yes('inputs.A.mode not in ["a", "b"]');
    no('inputs.A.mode not in ["a", "c"]');
    yes("not (inputs.A.x == null)");
    no("not (inputs.A.nothing == None)");
  });
});

describe("evaluateCondition: operators", () => {
  it("compares with deep JSON equality and no coercion", () => {
    no('1 == "1"');
    yes('1 != "1"');
    no("0 == false");
    no("null == false");
    no('"" == null');
    yes("1 == 1.0");
    yes("-0 == 0");
    yes('[1, [2, "x"]] == [1, [2, "x"]]');
    no("[1, 2] == [2, 1]");
    no("[1, 2] == [1, 2, 3]");
    yes("inputs.A.list == [10, 20, 30]");
    yes("inputs.A.tags != []");
  });

  it("compares objects by own keys, ignoring order", () => {
    const outputs = { P: { a: 1, b: { c: [true] } }, Q: { b: { c: [true] }, a: 1 }, R: { a: 1 } };
    yes("inputs.P == inputs.Q", outputs);
    no("inputs.P == inputs.R", outputs);
    no("inputs.R == inputs.P", outputs);
    no("inputs.P == [1]", outputs);
    no("inputs.R == []", outputs);
  });

  it("orders two numbers or two strings", () => {
    yes("1 < 2");
    no("2 < 2");
    yes("2 <= 2");
    yes("3 > 2");
    no("2 > 2");
    yes("2 >= 2");
    no("1 >= 2");
    yes('"apple" < "banana"');
    yes('"b" > "a"');
    yes('"B" < "a"');
    yes('"a" <= "a"');
    no('"ab" < "aa"');
  });

  it("refuses to order mixed or unordered types", () => {
    expect(why("inputs.A.mode > 1")).toBe(
      "inputs.A.mode > 1: > needs two numbers or two strings, got string and number",
    );
    expect(why("true < false")).toBe(
      "true < false: < needs two numbers or two strings, got boolean and boolean",
    );
    expect(why("inputs.A.nothing >= 0")).toBe(
      "inputs.A.nothing >= 0: >= needs two numbers or two strings, got null and number",
    );
    expect(why("inputs.A.tags <= [1]")).toBe(
      "inputs.A.tags <= [1]: <= needs two numbers or two strings, got list and list",
    );
  });

  it("tests membership in lists (deep), strings (substring) and objects (keys)", () => {
    yes("[1, 2] in [[1, 2], [3]]");
    no("[1] in [[1, 2], [3]]");
    yes("null in [1, null]");
    no('1 in ["1"]');
    no("1 in []");
    yes('"pu" in "gpu"');
    yes('"" in "gpu"');
    no('"GPU" in "gpu"');
    yes('"score" in inputs.A');
    no('"loss" in inputs.A');
    yes('"loss" not in inputs.A');
    no('"score" not in inputs.A');
  });

  it("rejects membership the types do not allow", () => {
    expect(why('1 in "gpu"')).toBe(
      '1 in "gpu": in needs a string on the left of a string, got number',
    );
    expect(why("1 not in inputs.A")).toBe(
      "1 not in inputs.A: not in needs a string on the left of a object, got number",
    );
    expect(why('"a" in inputs.A.x')).toBe(
      '"a" in inputs.A.x: in needs a list, a string or an object on the right, got number',
    );
    expect(why('"a" in null')).toBe(
      '"a" in null: in needs a list, a string or an object on the right, got null',
    );
  });

  it("needs booleans for and, or and not, and short-circuits", () => {
    yes("true and true");
    no("true and false");
    no("false and true");
    yes("false or true");
    no("false or false");
    no("not true");
    yes("not false");
    no("false and inputs.MISSING.x");
    yes("true or inputs.MISSING.x");
    no("false and 1");
    yes("true or 1");
    expect(why("inputs.A.x and true")).toBe("inputs.A.x: and needs true or false, got number");
    expect(why("true and inputs.A.tags")).toBe("inputs.A.tags: and needs true or false, got list");
    expect(why('false or "yes"')).toBe('"yes": or needs true or false, got string');
    expect(why("not inputs.A.nothing")).toBe("inputs.A.nothing: not needs true or false, got null");
  });

  it("negates numbers only", () => {
    yes("-inputs.A.x == -1");
    yes("-inputs.A.x < 0");
    yes("- -inputs.A.x == 1");
    expect(why("-inputs.A.mode == 1")).toBe("-inputs.A.mode: unary - needs a number, got string");
  });

  it("requires the whole condition to be a boolean", () => {
    yes("inputs.A.list[0] == 10");
    expect(why("inputs.A.x")).toBe("inputs.A.x: a condition must be true or false, got number");
    expect(why("inputs.A.nothing")).toBe(
      "inputs.A.nothing: a condition must be true or false, got null",
    );
    expect(why('inputs["train/*"].ok')).toBe(
      'inputs["train/*"].ok: a condition must be true or false, got one value per task of a glob: wrap it in all(...), any(...) or count(...)',
    );
    expect(why("[true]")).toBe("[true]: a condition must be true or false, got list");
  });
});

describe("evaluateCondition: field and index access", () => {
  it("reports a dependency that did not complete", () => {
    expect(why("inputs.C.x == 1")).toBe('inputs.C: dependency "C" did not complete');
    expect(why('inputs["prep/other"].ok')).toBe(
      'inputs["prep/other"]: dependency "prep/other" did not complete',
    );
  });

  it("names the missing field and where it was looked for", () => {
    expect(why("inputs.A.score2 > 1")).toBe('inputs.A.score2: task "A" has no field "score2"');
    expect(why('inputs["prep/featurize"].metrics.f1 > 1')).toBe(
      'inputs["prep/featurize"].metrics.f1: no field "f1"',
    );
  });

  it("reports a task that set no output", () => {
    yes("inputs.N == null");
    expect(why("inputs.N.x")).toBe('inputs.N.x: task "N" has no output, so no field "x"');
  });

  it("refuses to read fields of non-objects", () => {
    expect(why("inputs.A.nothing.y == 1")).toBe(
      'inputs.A.nothing.y: cannot read field "y" of null',
    );
    expect(why("inputs.A.x.y == 1")).toBe('inputs.A.x.y: cannot read field "y" of number');
    expect(why("inputs.A.tags.first == 1")).toBe(
      'inputs.A.tags.first: cannot read field "first" of list',
    );
    expect(why('"abc".length == 3')).toBe('"abc".length: cannot read field "length" of string');
  });

  it("indexes lists by whole numbers in range", () => {
    yes("inputs.A.list[0] == 10");
    yes("inputs.A.list[2] == 30");
    yes("inputs.A.list[inputs.B.i] == 20");
    yes("inputs.A[inputs.B.key] == 0.3");
    yes("[1, [2, 3]][1][0] == 2");
    expect(why("inputs.A.list[3] == 1")).toBe(
      "inputs.A.list[3]: index 3 is out of range for a list of length 3",
    );
    expect(why("inputs.A.list[-1] == 1")).toBe(
      "inputs.A.list[-1]: index -1 is out of range for a list of length 3",
    );
    expect(why("inputs.A.list[0.5] == 1")).toBe(
      "inputs.A.list[0.5]: a list index must be a whole number, got 0.5",
    );
    expect(why("inputs.A.list[true] == 1")).toBe(
      "inputs.A.list[true]: an index must be a string or a number, got boolean",
    );
    expect(why("inputs.A[0] == 1")).toBe("inputs.A[0]: cannot index object with a number");
    expect(why('inputs.A.list["0"] == 1')).toBe(
      'inputs.A.list["0"]: cannot read field "0" of list',
    );
  });
});

describe("evaluateCondition: aggregates", () => {
  it("all and any need booleans; all([]) is true, any([]) is false", () => {
    yes("all([true, true])");
    no("all([true, false])");
    yes("all([])");
    yes("any([false, true])");
    no("any([false, false])");
    no("any([])");
    expect(why("all([true, 1])")).toBe(
      "all([true, 1]): all needs a list of true/false values, got number at index 1",
    );
    expect(why('any(["true"])')).toBe(
      'any(["true"]): any needs a list of true/false values, got string at index 0',
    );
  });

  it("count counts true values and rejects non-booleans", () => {
    yes("count([true, false, true]) == 2");
    yes("count([]) == 0");
    yes("count([false]) == 0");
    expect(why("count([true, null]) == 1")).toBe(
      "count([true, null]): count needs a list of true/false values, got null at index 1",
    );
  });

  it("min, max and avg need non-empty lists of numbers", () => {
    yes("min([3, 1, 2]) == 1");
    yes("max([3, 1, 2]) == 3");
    yes("avg([1, 2, 3, 6]) == 3");
    yes("min([-1]) == -1 and max([-5, -7]) == -5");
    expect(why("min([]) == 0")).toBe("min([]): min of an empty list");
    expect(why("max([]) == 0")).toBe("max([]): max of an empty list");
    expect(why("avg([]) == 0")).toBe("avg([]): avg of an empty list");
    expect(why('max([1, "2"]) == 2')).toBe(
      'max([1, "2"]): max needs a list of numbers, got string at index 1',
    );
  });

  it("sum adds numbers, and sum([]) is 0", () => {
    yes("sum([1, 2, 3.5]) == 6.5");
    yes("sum([]) == 0");
    expect(why("sum([true]) == 1")).toBe(
      "sum([true]): sum needs a list of numbers, got boolean at index 0",
    );
  });

  it("every aggregate needs a list", () => {
    expect(why("all(inputs.A.x)")).toBe("all(inputs.A.x): all needs a list, got number");
    expect(why("sum(inputs.A) > 0")).toBe("sum(inputs.A): sum needs a list, got object");
    expect(why('count("abc") > 0')).toBe('count("abc"): count needs a list, got string');
  });
});

describe("evaluateCondition: globs and projection", () => {
  it("lists the outputs of the completed matches in the order of the inputs map", () => {
    // Inside a list literal a glob is a plain list, which is how a test sees the order.
    yes('[inputs["train/*"].status] == [["ok", "bad", "ok"]]');
    yes('all(inputs["train/*"].ok) == false and any(inputs["train/*"].ok)');
    yes('count(inputs["train/*"].ok) >= 2');
    no('count(inputs["train/*"].ok) >= 3');
    yes('max(inputs["train/*"].metrics.f1) == 0.9');
    yes('min(inputs["train/*"].metrics.f1) == 0.7');
    yes('sum(inputs["train/*"].metrics.f1) > 2.39 and avg(inputs["train/*"].metrics.f1) < 0.81');
    yes('[inputs["train/*"].hist[0]] == [[1, 3, 4]]');
    yes('[inputs["train/?"]] == [[]]');
    yes('[inputs["train/?n?"].status] == [["bad"]]');
    yes('[inputs["*featurize"]] == [[inputs["prep/featurize"]]]');
  });

  it("follows the order of the map, not the alphabet", () => {
    const outputs = { "t/b": { v: 2 }, "t/a": { v: 1 }, other: { v: 0 } };
    yes('[inputs["t/*"].v] == [[2, 1]]', outputs);
  });

  it("sees only completed dependencies; no match gives an empty list", () => {
    const outputs = { "train/rf": { ok: true } };
    yes('[inputs["train/*"].ok] == [[true]]', outputs);
    yes('all(inputs["gone/*"].ok)', outputs);
    no('any(inputs["gone/*"].ok)', outputs);
    yes('count(inputs["gone/*"].ok) == 0 and sum(inputs["gone/*"].x) == 0', outputs);
    expect(why('max(inputs["gone/*"].x) > 1', outputs)).toBe(
      'max(inputs["gone/*"].x): max of an empty list',
    );
  });

  it("names the task whose output lacks a field", () => {
    const outputs = { "t/a": { ok: true, m: { f1: 1 } }, "t/b": { m: {} }, "t/c": null };
    // Each step maps over every element before the next step, so t/c fails at .m before t/b at .f1.
    expect(why('max(inputs["t/*"].m.f1) > 0', outputs)).toBe(
      'inputs["t/*"].m: task "t/c" has no output, so no field "m"',
    );
    expect(why('all(inputs["t/*"].ok)', outputs)).toBe(
      'inputs["t/*"].ok: task "t/b" has no field "ok"',
    );
    expect(why('max(inputs["t/?"].m.f1) > 0', { "t/a": { m: { f1: 1 } }, "t/b": { m: {} } })).toBe(
      'inputs["t/?"].m.f1: no field "f1" (in the output of "t/b")',
    );
    expect(why('inputs["t/c"].x', outputs)).toBe(
      'inputs["t/c"].x: task "t/c" has no output, so no field "x"',
    );
    expect(why('inputs["t/[a-c]"] == null', outputs)).toBe(
      'inputs["t/[a-c]"]: dependency "t/[a-c]" did not complete',
    );
    expect(why('inputs["t/?"].m.f1[0] == 1', { "t/a": { m: { f1: 2 } } })).toBe(
      'inputs["t/?"].m.f1[0]: cannot index number with a number (in the output of "t/a")',
    );
  });

  it("treats a projection as a plain list inside a list literal and as an aggregate's argument", () => {
    yes('[true, false, true] == [inputs["train/*"].ok][0]');
    yes('"bad" in [inputs["train/*"].status][0]');
    yes('[inputs["train/*"].hist[0]] == [[1, 3, 4]]');
    yes('count(inputs["train/*"].ok) == 2');
  });
});

describe("evaluateCondition: element-wise comparisons over globs", () => {
  it("compares each task's value with a single value, inside all, any and count", () => {
    yes('all(inputs["train/*"].metrics.f1 >= 0.7)');
    no('all(inputs["train/*"].metrics.f1 > 0.7)');
    yes('any(inputs["train/*"].metrics.f1 >= 0.9)');
    no('any(inputs["train/*"].metrics.f1 > 0.9)');
    yes('count(inputs["train/*"].metrics.f1 < 0.85) == 2');
    yes('count(inputs["train/*"].status == "ok") == 2');
    yes('count(inputs["train/*"].status != "ok") == 1');
    yes('all(inputs["train/*"].status in ["ok", "bad"])');
    yes('count(inputs["train/*"].status not in ["ok"]) == 1');
    yes('any(3 in inputs["train/*"].hist)');
    yes('count(inputs["train/*"].hist == [3]) == 1');
  });

  it("maps whichever side the glob is on", () => {
    yes('all(0.7 <= inputs["train/*"].metrics.f1)');
    no('all(0.7 < inputs["train/*"].metrics.f1)');
    yes('count("ok" == inputs["train/*"].status) == 2');
    yes('count(inputs["train/*"].metrics.f1 > inputs.A.score) == 3');
  });

  it("counts 450 of 500 sweep tasks", () => {
    const sweep = (loss: (i: number) => number) =>
      Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`sweep/${i}`, { loss: loss(i) }]));
    yes(
      'count(inputs["sweep/*"].loss < 0.2) >= 450',
      sweep((i) => (i < 460 ? 0.1 : 0.5)),
    );
    no(
      'count(inputs["sweep/*"].loss < 0.2) >= 450',
      sweep((i) => (i < 449 ? 0.1 : 0.5)),
    );
  });

  it("gives all true, any false and count 0 over a glob that matched nothing", () => {
    yes('all(inputs["gone/*"].x < 1)');
    no('any(inputs["gone/*"].x < 1)');
    yes('count(inputs["gone/*"].x < 1) == 0');
  });

  it("fails, naming the task, when one task's value cannot be compared, whatever the others say", () => {
    const outputs = { "t/a": { loss: 0.05 }, "t/b": { loss: "high" }, "t/c": { loss: 0.5 } };
    const reason =
      'inputs["t/*"].loss < 0.1: < needs two numbers or two strings, got string and number (in the output of "t/b")';
    expect(why('all(inputs["t/*"].loss < 0.1)', outputs)).toBe(reason);
    // any() would be true from t/a alone, and all() false from t/c: the comparison is still strict.
    expect(why('any(inputs["t/*"].loss < 0.1)', outputs)).toBe(reason);
    expect(why('count(inputs["t/*"].loss < 0.1) >= 0', outputs)).toBe(reason);
    expect(why('any("x" in inputs["t/*"].loss)', outputs)).toBe(
      '"x" in inputs["t/*"].loss: in needs a list, a string or an object on the right, got number (in the output of "t/a")',
    );
    expect(why('all(inputs["t/*"].f1 > 0)', outputs)).toBe(
      'inputs["t/*"].f1: task "t/a" has no field "f1"',
    );
  });

  it("maps not and unary minus over each task's value", () => {
    no('all(not inputs["train/*"].ok)');
    yes('count(not inputs["train/*"].ok) == 1');
    yes('max(-inputs["train/*"].metrics.f1) == -0.7');
    const outputs = { "t/a": { ok: true, n: 1 }, "t/b": { ok: 0, n: "1" } };
    expect(why('all(not inputs["t/*"].ok)', outputs)).toBe(
      'inputs["t/*"].ok: not needs true or false, got number (in the output of "t/b")',
    );
    expect(why('sum(-inputs["t/*"].n) < 0', outputs)).toBe(
      '-inputs["t/*"].n: unary - needs a number, got string (in the output of "t/b")',
    );
  });

  it("names the task whose value an aggregate cannot use", () => {
    const outputs = { "t/a": { ok: true, n: 1 }, "t/b": { ok: 0, n: "1" } };
    expect(why('all(inputs["t/*"].ok)', outputs)).toBe(
      'all(inputs["t/*"].ok): all needs a list of true/false values, got number at index 1 (in the output of "t/b")',
    );
    expect(why('sum(inputs["t/*"].n) > 0', outputs)).toBe(
      'sum(inputs["t/*"].n): sum needs a list of numbers, got string at index 1 (in the output of "t/b")',
    );
  });

  it("refuses a glob where one true or false is needed, and two globs in one comparison", () => {
    const hint = "got one value per task of a glob: wrap it in all(...), any(...) or count(...)";
    expect(why('inputs["train/*"].ok and true')).toBe(
      `inputs["train/*"].ok: and needs true or false, ${hint}`,
    );
    expect(why('false or inputs["train/*"].ok')).toBe(
      `inputs["train/*"].ok: or needs true or false, ${hint}`,
    );
    expect(why('inputs["train/*"].ok')).toBe(
      `inputs["train/*"].ok: a condition must be true or false, ${hint}`,
    );
    expect(why('inputs["train/*"].metrics.f1 > 0.5')).toBe(
      `inputs["train/*"].metrics.f1 > 0.5: a condition must be true or false, ${hint}`,
    );
    expect(why('any(inputs["train/*"].ok == inputs["t*"].ok)')).toBe(
      'inputs["train/*"].ok == inputs["t*"].ok: cannot compare two globs element by element: compare one with a single value, or aggregate each first',
    );
    expect(why('inputs.A[inputs["train/*"].status] == 1')).toBe(
      'inputs.A[inputs["train/*"].status]: an index must be a string or a number, got one value per task of a glob',
    );
  });
});

describe('evaluateCondition: inputs.* and inputs["*"]', () => {
  const outputs = {
    A: { ok: true, f1: 0.9 },
    "g/b": { ok: false, f1: 0.8 },
    "g/c/d": { ok: true, f1: 0.7 },
  };

  it("reads every completed dependency, slashes included, in the order of the map", () => {
    yes("count(inputs.*.ok) == 2", outputs);
    yes('count(inputs["*"].ok) == 2', outputs);
    yes("all(inputs.*.f1 >= 0.7) and not all(inputs.*.f1 > 0.7)", outputs);
    yes("[inputs.*.f1] == [[0.9, 0.8, 0.7]]", outputs);
    yes("min(inputs.*.f1) == 0.7", outputs);
  });

  it("is empty when no dependency completed", () => {
    yes("all(inputs.*.ok) and count(inputs.*.ok) == 0", {});
  });
});

describe("evaluateCondition: hostile outputs", () => {
  it("reads only own fields, never the prototype chain", () => {
    const outputs = {
      A: { x: 1 },
      P: JSON.parse('{"__proto__": {"polluted": true}, "constructor": 7}'),
    };
    expect(why("inputs.A.constructor == 1", outputs)).toBe(
      'inputs.A.constructor: task "A" has no field "constructor"',
    );
    expect(why("inputs.A.__proto__ == null", outputs)).toBe(
      'inputs.A.__proto__: task "A" has no field "__proto__"',
    );
    expect(why("inputs.A.toString == null", outputs)).toBe(
      'inputs.A.toString: task "A" has no field "toString"',
    );
    expect(why("inputs.A.x.constructor == null", outputs)).toBe(
      'inputs.A.x.constructor: cannot read field "constructor" of number',
    );
    no('"constructor" in inputs.A', outputs);
    no('"hasOwnProperty" in inputs.A', outputs);
    yes("inputs.P.__proto__.polluted", outputs);
    yes("inputs.P.constructor == 7", outputs);
    yes('"__proto__" in inputs.P', outputs);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("reads __proto__ and constructor as missing on {}, and as data where they are own properties", () => {
    // Own properties both: fromEntries defines them, and a null-prototype object has no setter.
    const entries = Object.fromEntries([
      ["__proto__", 1],
      ["constructor", 2],
    ]);
    const nullProto = Object.assign(Object.create(null), entries) as Json;
    expect(Object.hasOwn(nullProto as object, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(nullProto)).toBeNull();
    const outputs: Record<string, Json> = {
      E: {},
      J: JSON.parse('{"__proto__": 1, "constructor": 2}'),
      N: nullProto,
      K: { k: "constructor", p: "__proto__" },
      "p/json": JSON.parse('{"__proto__": 1}'),
      "p/null": nullProto,
    };
    for (const field of ["constructor", "__proto__", "hasOwnProperty", "valueOf"]) {
      expect(why(`inputs.E.${field} == null`, outputs)).toBe(
        `inputs.E.${field}: task "E" has no field "${field}"`,
      );
      expect(why(`inputs.E["${field}"] == null`, outputs)).toBe(
        `inputs.E.${field}: task "E" has no field "${field}"`,
      );
    }
    expect(why("inputs.E[inputs.K.k] == null", outputs)).toBe(
      'inputs.E[inputs.K.k]: task "E" has no field "constructor"',
    );
    expect(why("inputs.E[inputs.K.p] == null", outputs)).toBe(
      'inputs.E[inputs.K.p]: task "E" has no field "__proto__"',
    );
    for (const task of ["J", "N"]) {
      yes(`inputs.${task}.__proto__ == 1 and inputs.${task}.constructor == 2`, outputs);
      yes(`inputs.${task}[inputs.K.p] == 1 and inputs.${task}[inputs.K.k] == 2`, outputs);
      yes(`"__proto__" in inputs.${task} and "constructor" in inputs.${task}`, outputs);
      no(`"toString" in inputs.${task}`, outputs);
    }
    yes('all(inputs["p/*"].__proto__ == 1)', outputs);
    yes("inputs.J == inputs.N", outputs);
    expect(why('all(inputs["?"].__proto__ == 1)', outputs)).toBe(
      'inputs["?"].__proto__: task "E" has no field "__proto__"',
    );
  });

  it("does not confuse a dependency named __proto__ or constructor with the map's own properties", () => {
    expect(why("inputs.__proto__.x == 1")).toBe(
      'inputs.__proto__: dependency "__proto__" did not complete',
    );
    expect(why("inputs.constructor == 1")).toBe(
      'inputs.constructor: dependency "constructor" did not complete',
    );
    const map = new Map<string, Json>([["__proto__", { x: 1 }]]);
    expect(evaluateCondition(parseCondition("inputs.__proto__.x == 1"), map)).toEqual({
      ok: true,
      value: true,
    });
  });

  it("compares outputs nested a hundred thousand levels deep without overflowing", () => {
    let a: Json = 1;
    let b: Json = 1;
    let c: Json = 2;
    for (let i = 0; i < 100_000; i++) {
      a = [a];
      b = { k: b };
      c = [c];
    }
    let a2: Json = 1;
    for (let i = 0; i < 100_000; i++) a2 = [a2];
    yes("inputs.A == inputs.A2", { A: a, A2: a2 });
    no("inputs.A == inputs.C", { A: a, C: c });
    no("inputs.A == inputs.B", { A: a, B: b });
    yes("inputs.A in [inputs.C, inputs.A2]", { A: a, A2: a2, C: c });
  });

  it("aggregates a million-element list without spreading it onto the stack", () => {
    const big = Array.from({ length: 1_000_000 }, (_, i) => i);
    yes("max(inputs.A.v) == 999999 and min(inputs.A.v) == 0", { A: { v: big } });
    yes("sum(inputs.A.v) == 499999500000", { A: { v: big } });
    yes("999999 in inputs.A.v", { A: { v: big } });
  });

  it("turns non-JSON values into reasons, never exceptions", () => {
    const getter = {};
    Object.defineProperty(getter, "boom", {
      enumerable: true,
      get() {
        throw new Error("kaboom");
      },
    });
    const weird = { A: getter, U: { u: undefined, f: () => 1 } } as unknown as Record<string, Json>;
    expect(run("inputs.A.boom == 1", weird)).toEqual({
      ok: false,
      reason: "internal error: Error: kaboom",
    });
    expect(why("inputs.U.u == 1", weird)).toBe('inputs.U.u: task "U" has no field "u"');
    expect(why("inputs.U.f > 1", weird)).toBe(
      "inputs.U.f > 1: > needs two numbers or two strings, got non-JSON function and number",
    );
    const nullProto = Object.assign(Object.create(null), { x: 1 }) as Json;
    yes("inputs.A.x == 1", { A: nullProto });
    no('"toString" in inputs.A', { A: nullProto });
  });

  it("cuts very long expression paths short in reasons", () => {
    const source = `inputs.A${".abcdefghij".repeat(30)} == 1`;
    const reason = why(source);
    expect(reason).toBe(`inputs.A.abcdefghij: task "A" has no field "abcdefghij"`);
    const deep = why(`inputs.A.x${".abcdefghij".repeat(30)} == 1`);
    expect(deep).toBe(`inputs.A.x.abcdefghij: cannot read field "abcdefghij" of number`);
    const long = why(`(${Array.from({ length: 60 }, () => "true").join(" and ")} and 1)`);
    expect(long).toBe("1: and needs true or false, got number");
    const printed = `[${Array.from({ length: 60 }, (_, i) => i).join(", ")}]`;
    expect(printed.length).toBeGreaterThan(200);
    expect(why(printed)).toBe(
      `${printed.slice(0, 200)}…: a condition must be true or false, got list`,
    );
  });

  it("evaluates the deepest trees the length limit allows", () => {
    const chain = Array.from({ length: 455 }, () => "true").join(" and ");
    expect(chain.length).toBeLessThanOrEqual(4096);
    yes(chain);
    const fields = `inputs.A${".b".repeat(2040)} == 1`;
    let nested: Json = 1;
    for (let i = 0; i < 2040; i++) nested = { b: nested };
    yes(fields, { A: nested });
  });
});
