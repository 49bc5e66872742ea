import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDefinitionFile } from "../../src/definitionFile.js";
import { runLocal } from "../../src/local/runner.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "dagq-rules-test-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(name: string, yaml: string) {
  const path = join(dir, name);
  writeFileSync(path, yaml);
  return loadDefinitionFile(path);
}

describe("run-local follows the README's rules with real processes", () => {
  it("issue 8's reproduction: a skipped and a failed parent make any/1 merges upstream_failed", async () => {
    const def = load(
      "mixed.yaml",
      `name: mixed
tasks:
  - name: A
    command: printf '{"go":false}' > "$DAGQ_OUTPUT"
  - {name: B, depends_on: [A], condition: inputs.A.go == true, command: "true"}
  - {name: C, depends_on: [A], command: exit 1}
  - {name: D, depends_on: [B, C], dep_policy: any, command: "true"}
  - {name: E, depends_on: [B, C], dep_policy: 1, command: "true"}
`,
    );
    const r = await runLocal(def);
    expect(r.status).toBe("failed");
    expect(r.tasks.B?.status).toBe("skipped");
    expect(r.tasks.C?.status).toBe("failed");
    expect(r.tasks.D?.status).toBe("upstream_failed");
    expect(r.tasks.E?.status).toBe("upstream_failed");
    expect(r.tasks.D?.reason).toContain('"C" failed');
  });

  it("an always task runs after a failure, reads DAGQ_PARENT_STATES, and the workflow still fails", async () => {
    const out = join(dir, "states.json");
    const def = load(
      "always.yaml",
      `name: always
tasks:
  - {name: work, command: exit 3}
  - {name: report, depends_on: [work], command: "true"}
  - name: cleanup
    depends_on: [work, report]
    dep_policy: always
    command: cp "$DAGQ_PARENT_STATES" ${JSON.stringify(out)}
`,
    );
    const r = await runLocal(def);
    expect(r.tasks.cleanup?.status).toBe("completed");
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual({
      work: "failed",
      report: "upstream_failed",
    });
    expect(r.status).toBe("failed");
  });

  it("an output nested deeper than 64 levels fails its attempt with a clear reason", async () => {
    const deep = `${"[".repeat(3000)}${"]".repeat(3000)}`;
    const ok = `${"[".repeat(64)}${"]".repeat(64)}`;
    const def = load(
      "deep.yaml",
      `name: deep
tasks:
  - {name: deep, command: "printf '${deep}' > \\"$DAGQ_OUTPUT\\""}
  - {name: ok, command: "printf '${ok}' > \\"$DAGQ_OUTPUT\\""}
`,
    );
    const r = await runLocal(def);
    expect(r.tasks.deep?.status).toBe("failed");
    expect(r.tasks.deep?.reason).toMatch(/nested more than 64 levels deep/);
    expect(r.tasks.ok?.status).toBe("completed");
  });

  it("output keys named __proto__ or constructor are plain data a condition can read", async () => {
    const def = load(
      "proto.yaml",
      `name: proto
tasks:
  - name: a
    command: |
      printf '{"__proto__": {"x": 1}, "constructor": 2}' > "$DAGQ_OUTPUT"
  - {name: b, depends_on: [a], condition: 'inputs.a["__proto__"].x == 1 and inputs.a.constructor == 2', command: "true"}
`,
    );
    const r = await runLocal(def);
    expect(r.tasks.b?.status).toBe("completed");
    expect(JSON.stringify(r.tasks.a?.output)).toBe('{"__proto__":{"x":1},"constructor":2}');
  });
});
