import { describe, expect, it } from "vitest";
import { LineCounter } from "yaml";
import { MAX_YAML_DEPTH, parseYaml } from "../../src/yamlDocument.js";

/** Documents `n` levels deep, in each way YAML nests. */
const deep: Record<string, (n: number) => string> = {
  "flow sequences": (n) => `${"[".repeat(n)}${"]".repeat(n)}`,
  "flow mappings": (n) => `${"{a: ".repeat(n)}1${"}".repeat(n)}`,
  "compact sequences": (n) => `${"- ".repeat(n)}x`,
  "block mappings": (n) =>
    `${Array.from({ length: n }, (_, i) => `${" ".repeat(i)}a:`).join("\n")} 1`,
  "unclosed brackets": (n) => "[".repeat(n),
};

describe("parseYaml", () => {
  it.each(Object.entries(deep))(
    "refuses %s nested deeper than the limit, again and again, without aborting the process",
    (_, make) => {
      // Without the limit, the library's stack overflow on the first document left a regular
      // expression broken, and the second aborted the process (a V8 fatal error, not a throw).
      for (const n of [MAX_YAML_DEPTH + 1, 2_000, 2_000, 5_000])
        expect(parseYaml(make(n))).toEqual({
          ok: false,
          message: `invalid YAML: nested more than ${MAX_YAML_DEPTH} levels deep`,
        });
    },
  );

  it("parses a document exactly at the limit", () => {
    const r = parseYaml(deep["flow sequences"]!(MAX_YAML_DEPTH));
    expect(r.ok).toBe(true);
  });

  it("reads a definition, telling nodes' lines to a LineCounter", () => {
    const lines = new LineCounter();
    const r = parseYaml("name: x\ntasks:\n  - name: a\n    command: 'true'\n", lines);
    expect(r.ok && r.value).toEqual({ name: "x", tasks: [{ name: "a", command: "true" }] });
    expect(lines.linePos(10)).toEqual({ line: 2, col: 3 });
  });

  it("says where a syntax error is, refuses several documents, aliases past the cap and their loops", () => {
    expect(parseYaml("a: [1, 2\nb: 3\n")).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^invalid YAML: .* at line \d+, column \d+/),
    });
    expect(parseYaml("a: 1\n---\nb: 2\n")).toMatchObject({
      ok: false,
      message: expect.stringContaining("multiple documents"),
    });
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      ...["b", "c", "d", "e"].map((k, i) => `${k}: &${k} [${Array(10).fill(`*${"abcd"[i]}`)}]`),
    ].join("\n");
    expect(parseYaml(bomb)).toMatchObject({ ok: false, message: expect.stringContaining("alias") });
    expect(parseYaml("a: &a [*a]\n")).toEqual({
      ok: false,
      message: "invalid YAML: an alias refers to a node that contains it",
    });
    // Shared, not circular: the same list twice is fine.
    expect(parseYaml("a: &a [1]\nb: *a\n")).toMatchObject({ ok: true, value: { a: [1], b: [1] } });
  });
});
