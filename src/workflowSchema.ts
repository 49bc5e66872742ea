import { z } from "zod";
import { WorkflowDefinitionSchema } from "./core/index.js";

export const WORKFLOW_SCHEMA_ID = "urn:dagq:schema:workflow-definition";

/**
 * The JSON Schema of a definition file, derived from the zod schema that validates it, so
 * editors and the validator cannot disagree. Input mode: defaulted keys are optional, as users
 * write them. Refinements zod cannot express (env size, reserved names) are checked only by
 * `dagq validate`.
 */
export function workflowJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(WorkflowDefinitionSchema, { io: "input" });
  return {
    $schema: generated.$schema,
    $id: WORKFLOW_SCHEMA_ID,
    title: "dagq workflow definition",
    description:
      "A DAG of shell tasks with depends_on edges, dependency policies, conditions and retries.",
    ...generated,
  };
}

/** The schema file's exact text: what `npm run schema` writes and `dagq schema` prints. */
export function workflowJsonSchemaText(): string {
  return `${JSON.stringify(workflowJsonSchema(), null, 2)}\n`;
}
