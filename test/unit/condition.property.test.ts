import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Condition, ConditionNode } from "../../src/core/condition/index.js";
import {
  evaluateCondition,
  isGlob,
  parseCondition,
  printCondition,
} from "../../src/core/condition/index.js";
import { DagqError, ErrorCode } from "../../src/core/errors.js";
import type { Json } from "../../src/core/json.js";

const AGGREGATES = ["all", "any", "count", "min", "max", "sum", "avg"] as const;
const COMPARE_OPS = ["==", "!=", "<", "<=", ">", ">=", "in", "not in"] as const;

const literal = (value: null | boolean | number | string): ConditionNode => ({
  kind: "literal",
  value,
});
const input = (name: string): ConditionNode => ({
  kind: "input",
  ref: isGlob(name) ? { kind: "glob", pattern: name } : { kind: "name", name },
});
const isStringLiteral = (n: ConditionNode) => n.kind === "literal" && typeof n.value === "string";

/**
 * Random well-formed trees. `node` is any expression; `bool` leans towards expressions that
 * evaluate to booleans so the algebraic properties are exercised often, not vacuously.
 */
function trees(names: fc.Arbitrary<string>, fields: fc.Arbitrary<string>, maxDepth: number) {
  const number = fc.oneof(
    fc.integer({ min: 0, max: 1000 }),
    fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
  );
  const leaf = fc.oneof(
    fc.constantFrom(null, true, false).map(literal),
    number.map(literal),
    fc.string({ unit: "binary", maxLength: 6 }).map(literal),
    names.map(input),
  );
  return fc.letrec<{ node: ConditionNode; bool: ConditionNode }>((tie) => {
    const node = tie("node");
    const bool = tie("bool");
    const compare = fc
      .tuple(fc.constantFrom(...COMPARE_OPS), node, node)
      .map(([op, left, right]): ConditionNode => ({ kind: "compare", op, left, right }));
    const logical = fc
      .tuple(fc.constantFrom("and" as const, "or" as const), bool, bool)
      .map(([op, left, right]): ConditionNode => ({ kind: "logical", op, left, right }));
    const not = bool.map((operand): ConditionNode => ({ kind: "not", operand }));
    const options = { maxDepth, depthIdentifier: "condition" };
    return {
      node: fc.oneof(
        options,
        leaf,
        fc.array(node, { maxLength: 3 }).map((items): ConditionNode => ({ kind: "list", items })),
        fc
          .tuple(node, fields)
          .map(([object, name]): ConditionNode => ({ kind: "member", object, name })),
        fc
          .tuple(
            node,
            node.filter((n) => !isStringLiteral(n)),
          )
          .map(([object, index]): ConditionNode => ({ kind: "index", object, index })),
        fc
          .tuple(fc.constantFrom(...AGGREGATES), node)
          .map(([fn, arg]): ConditionNode => ({ kind: "call", fn, arg })),
        node.map((operand): ConditionNode => ({ kind: "neg", operand })),
        not,
        logical,
        compare,
      ),
      bool: fc.oneof(
        options,
        fc.boolean().map(literal),
        names.map((n): ConditionNode => ({ kind: "member", object: input(n), name: "ok" })),
        compare,
        logical,
        not,
        fc
          .tuple(fc.constantFrom("all" as const, "any" as const), node)
          .map(([fn, arg]): ConditionNode => ({ kind: "call", fn, arg })),
      ),
    };
  });
}

const identifier = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/);
const wide = trees(
  fc.oneof(identifier, fc.string({ unit: "binary", minLength: 1, maxLength: 6 })),
  fc.oneof(identifier, fc.string({ unit: "binary", maxLength: 6 })),
  4,
);

// Few names and fields, so lookups hit as often as they miss.
const NAMES = ["A", "B", "t/a", "t/b"];
const small = trees(
  fc.constantFrom(...NAMES, "t/*", "?/a", "missing"),
  fc.constantFrom("x", "ok", "0"),
  3,
);
const json: fc.Arbitrary<Json> = fc.letrec<{ v: Json }>((tie) => ({
  v: fc.oneof(
    { maxDepth: 3, depthIdentifier: "json" },
    fc.constantFrom(null, true, false, 0, 1, -2.5, "x", "ok"),
    fc.array(tie("v"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom("x", "ok", "0", "__proto__", "constructor"), tie("v"), {
      maxKeys: 3,
    }),
  ),
})).v;
const hostile: Json = JSON.parse('{"__proto__": {"ok": true}, "constructor": {"x": 1}}');
const inputs = fc
  .array(
    fc.tuple(
      fc.constantFrom(...NAMES),
      fc.oneof(json, fc.jsonValue() as fc.Arbitrary<Json>, fc.constant(hostile)),
    ),
    { maxLength: 4 },
  )
  .map((entries) => new Map(entries));

/** Parses the printed tree: conditions reach evaluation only through the parser. */
const reparse = (ast: ConditionNode): Condition => parseCondition(printCondition(ast));

function expectWellFormed(result: ReturnType<typeof evaluateCondition>): void {
  if (result.ok) expect(typeof result.value).toBe("boolean");
  else {
    expect(typeof result.reason).toBe("string");
    expect(result.reason.length).toBeGreaterThan(0);
  }
}

describe("condition properties", () => {
  it("round-trips any well-formed tree through print and parse", () => {
    fc.assert(
      fc.property(wide.node, (ast) => {
        const printed = printCondition(ast);
        fc.pre(printed.length <= 4096);
        const parsed = parseCondition(printed);
        expect(parsed.ast).toEqual(ast);
        expect(printCondition(parsed.ast)).toBe(printed);
      }),
      { numRuns: 1000 },
    );
  });

  it("throws nothing but CONDITION_SYNTAX errors on arbitrary strings", () => {
    const check = (source: string) => {
      try {
        const cond = parseCondition(source);
        // Whatever parses also prints to something that parses to the same tree.
        expect(parseCondition(printCondition(cond.ast)).ast).toEqual(cond.ast);
      } catch (e) {
        if (!(e instanceof DagqError)) throw e;
        expect(e.code).toBe(ErrorCode.CONDITION_SYNTAX);
        expect(typeof e.details.position).toBe("number");
        expect(e.message).toMatch(/ at (line \d+, )?column \d+|^condition too long|^empty/);
      }
    };
    fc.assert(fc.property(fc.string({ unit: "binary" }), check), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ unit: "binary-ascii", maxLength: 60 }), check), {
      numRuns: 1000,
    });
    // Token soup gets far deeper into the parser than random characters do.
    const token = fc.constantFrom(
      ...["inputs", ".", "A", '["t/*"]', "[", "]", "(", ")", '"x"', "'y'", "1", "2.5e3", "true"],
      ...["None", "and", "or", "not", "in", "==", "!=", "<", ">=", "-", ",", "all", "count", " "],
    );
    fc.assert(
      fc.property(
        fc.array(token, { maxLength: 30 }).map((t) => t.join(" ")),
        check,
      ),
      {
        numRuns: 2000,
      },
    );
  });

  it("evaluates any parsed condition over any inputs without throwing", () => {
    let oks = 0;
    fc.assert(
      fc.property(small.node, inputs, (ast, map) => {
        const result = evaluateCondition(reparse(ast), map);
        expectWellFormed(result);
        if (result.ok) oks++;
      }),
      { numRuns: 1000 },
    );
    expect(oks).toBeGreaterThan(20);
  });

  it("evaluates not X to the negation of X whenever X evaluates", () => {
    let checked = 0;
    fc.assert(
      fc.property(small.bool, inputs, (x, map) => {
        const rx = evaluateCondition(reparse(x), map);
        const rnot = evaluateCondition(reparse({ kind: "not", operand: x }), map);
        if (!rx.ok) return;
        checked++;
        expect(rnot).toEqual({ ok: true, value: !rx.value });
      }),
      { numRuns: 1000 },
    );
    expect(checked).toBeGreaterThan(100);
  });

  it("evaluates a and b like b and a whenever both evaluate", () => {
    let checked = 0;
    fc.assert(
      fc.property(small.bool, small.bool, inputs, (a, b, map) => {
        const ra = evaluateCondition(reparse(a), map);
        const rb = evaluateCondition(reparse(b), map);
        if (!ra.ok || !rb.ok) return;
        checked++;
        const ab = evaluateCondition(
          reparse({ kind: "logical", op: "and", left: a, right: b }),
          map,
        );
        const ba = evaluateCondition(
          reparse({ kind: "logical", op: "and", left: b, right: a }),
          map,
        );
        expect(ab).toEqual({ ok: true, value: ra.value && rb.value });
        expect(ba).toEqual(ab);
        const ob = evaluateCondition(
          reparse({ kind: "logical", op: "or", left: a, right: b }),
          map,
        );
        expect(ob).toEqual({ ok: true, value: ra.value || rb.value });
      }),
      { numRuns: 1000 },
    );
    expect(checked).toBeGreaterThan(40);
  });
});
