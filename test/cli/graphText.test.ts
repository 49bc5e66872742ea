import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphText } from "../../src/cli/render/graphText.js";
import { compileDefinition, graphShape } from "../../src/core/index.js";
import { dagqProcess } from "../support/dagqProcess.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "dagq-graph-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const small = compileDefinition({
  name: 'say "hi"',
  tasks: [
    { name: "prep/a", command: "x" },
    { name: "train/b", command: "x", depends_on: ["prep/a"] },
  ],
});

describe("dagq validate --graph", () => {
  it("prints every task of a small workflow, as Mermaid or DOT", () => {
    expect(graphText(small, graphShape(small), "mermaid")).toBe(
      'flowchart TD\n  n0["prep/a"]\n  n1["train/b"]\n  n0 --> n1\n',
    );
    expect(graphText(small, graphShape(small), "dot")).toBe(
      'digraph "say \\"hi\\"" {\n  rankdir=TB;\n  node [shape=box];\n  n0 [label="prep/a"];\n  n1 [label="train/b"];\n  n0 -> n1;\n}\n',
    );
  });

  it("collapses a large one by group and layer, as the dashboard does", () => {
    const big = compileDefinition({
      name: "big",
      tasks: [
        { name: "prep", command: "x" },
        ...Array.from({ length: 500 }, (_, i) => ({
          name: `sweep/${i}`,
          command: "x",
          depends_on: ["prep"],
        })),
        { name: "agg", command: "x", depends_on: ["sweep/*"] },
      ],
    });
    expect(graphText(big, graphShape(big), "mermaid")).toBe(
      [
        "flowchart TD",
        '  n0["(no group) ×1 (layer 0)"]',
        '  n1["sweep/ ×500 (layer 1)"]',
        '  n2["(no group) ×1 (layer 2)"]',
        "  n0 --> n1",
        "  n1 --> n2",
        "",
      ].join("\n"),
    );
  });

  it("as a command: the graph on stdout, exit 0; an unknown format is a usage error", async () => {
    const file = join(dir, "wf.json");
    writeFileSync(file, JSON.stringify(small.definition));
    const r = await dagqProcess(["validate", file, "--graph", "dot"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(graphText(small, graphShape(small), "dot"));
    const bad = await dagqProcess(["validate", file, "--graph", "png"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected mermaid or dot/);
  });
});
