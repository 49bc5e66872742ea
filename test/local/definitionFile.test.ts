import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DagqError } from "../../src/core/index.js";
import { loadDefinitionFile } from "../../src/definitionFile.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "dagq-deffile-test-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function errorOf(path: string): DagqError {
  try {
    loadDefinitionFile(path);
  } catch (e) {
    expect(e).toBeInstanceOf(DagqError);
    return e as DagqError;
  }
  throw new Error(`${path} loaded without error`);
}

describe("loadDefinitionFile", () => {
  it("reads JSON, and YAML under any other extension", () => {
    const doc = { name: "j", tasks: [{ name: "a", command: "true" }] };
    expect(loadDefinitionFile(file("w.json", JSON.stringify(doc))).tasks[0]?.name).toBe("a");
    const yaml = file("w.workflow", "name: y\ntasks:\n  - { name: b, command: 'true' }\n");
    expect(loadDefinitionFile(yaml).definition.name).toBe("y");
  });

  it("prefixes definition issues with the file and keeps the core's issues", () => {
    const path = file(
      "dup.yaml",
      "name: d\ntasks:\n  - name: a\n    command: x\n  - name: a\n    command: y\n",
    );
    const e = errorOf(path);
    expect(e.code).toBe("INVALID_DEFINITION");
    expect(e.message).toBe(
      `${path}: invalid workflow definition:\ntasks[1].name: task "a": duplicate task name (first defined at tasks[0]) (line 5)`,
    );
    expect(e.details.issues?.[0]?.code).toBe("DUPLICATE_TASK");
    expect(e.details.file).toBe(path);
  });

  it("locates JSON syntax errors by line and column when V8 gives a position", () => {
    // A trailing comma, the usual hand-editing slip.
    const path = file("bad.json", '{"name": "x",\n  "tasks": [],\n}');
    expect(errorOf(path).message).toMatch(
      new RegExp(`^${path}: invalid JSON \\(line 3, column 1\\): `),
    );
  });

  it("reports a missing file plainly", () => {
    const path = join(dir, "absent.yaml");
    expect(errorOf(path).message).toBe(`${path}: cannot read: no such file`);
  });
});
