import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { graphText } from "../../src/cli/render/graphText.js";
import { graphShape } from "../../src/core/index.js";
import { loadDefinitionFile } from "../../src/definitionFile.js";
import { WORKFLOW_SCHEMA_ID, workflowJsonSchemaText } from "../../src/workflowSchema.js";

describe("schema/workflow.schema.json", () => {
  it("is exactly what `npm run schema` generates (run it after changing definition.ts)", () => {
    expect(readFileSync("schema/workflow.schema.json", "utf8")).toBe(workflowJsonSchemaText());
  });

  it("describes the definition's top level and task keys", () => {
    const schema = JSON.parse(workflowJsonSchemaText());
    expect(schema.$id).toBe(WORKFLOW_SCHEMA_ID);
    expect(schema.required).toEqual(["name", "tasks"]);
    expect(schema.additionalProperties).toBe(false);
    const task = schema.properties.tasks.items;
    expect(task.required).toEqual(["name", "command"]);
    expect(Object.keys(task.properties)).toEqual([
      "name",
      "command",
      "depends_on",
      "dep_policy",
      "condition",
      "map",
      "num_retries",
      "retry_backoff_s",
      "timeout_s",
      "queue",
      "env",
      "condition_errors",
    ]);
  });
});

describe("examples/", () => {
  const files = readdirSync("examples").filter((f) => f.endsWith(".yaml"));

  it("holds the documented examples", () => {
    expect(files.sort()).toEqual([
      "fan-out-fan-in.yaml",
      "map.yaml",
      "ml-pipeline.yaml",
      "nightly.yaml",
      "params.yaml",
      "rerun.yaml",
      "resilient-diamond.yaml",
      "retry.yaml",
    ]);
  });

  it.each(files)("%s compiles and points editors at the schema", (file) => {
    const text = readFileSync(`examples/${file}`, "utf8");
    expect(text.split("\n")[0]).toBe(
      "# yaml-language-server: $schema=../schema/workflow.schema.json",
    );
    const def = loadDefinitionFile(`examples/${file}`);
    expect(def.definition.name).toBe(file.replace(/\.yaml$/, ""));
  });

  it("map.mmd is the graph `dagq validate examples/map.yaml --graph mermaid` prints", () => {
    const def = loadDefinitionFile("examples/map.yaml");
    expect(readFileSync("examples/map.mmd", "utf8")).toBe(
      graphText(def, graphShape(def), "mermaid"),
    );
  });
});

describe("schema/ worker protocol", () => {
  it("the committed protocol schemas are exactly what `npm run schema` generates", async () => {
    const { PROTOCOL_SCHEMAS, protocolSchemaText } = await import(
      "../../src/protocol/protocolSchema.js"
    );
    for (const name of Object.keys(PROTOCOL_SCHEMAS) as Array<keyof typeof PROTOCOL_SCHEMAS>) {
      expect(readFileSync(`schema/${name}`, "utf8"), name).toBe(protocolSchemaText(name));
    }
  });

  it("requires what the coordinator needs from a completion", () => {
    const schema = JSON.parse(readFileSync("schema/completion-message.schema.json", "utf8"));
    expect(schema.required).toEqual(["v", "completions"]);
    const kinds = schema.properties.completions.items.oneOf.map(
      (o: { properties: { kind: { const: string } }; required: string[] }) => [
        o.properties.kind.const,
        o.required,
      ],
    );
    expect(kinds).toEqual([
      ["started", ["kind", "workflow_id", "task", "attempt"]],
      ["completed", ["kind", "workflow_id", "task", "attempt"]],
      ["failed", ["kind", "workflow_id", "task", "attempt", "error"]],
    ]);
  });
});
