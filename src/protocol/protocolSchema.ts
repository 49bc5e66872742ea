import { z } from "zod";
import { CompletionMessageWireSchema, TaskMessageSchema } from "./messages.js";
import { TaskPackSchema } from "./taskPack.js";

/**
 * JSON Schemas of the worker protocol (version 1), generated from the zod schemas the
 * coordinator validates with, for workers written in other languages. Written to schema/ by
 * `npm run schema`; a test keeps the committed files equal to this output.
 */
export const PROTOCOL_SCHEMAS = {
  "task-message.schema.json": {
    schema: TaskMessageSchema,
    title: "dagq task message (v1)",
    description: "What a worker receives from a task queue: one attempt of one task.",
  },
  "task-pack.schema.json": {
    schema: TaskPackSchema,
    title: "dagq task pack (v1)",
    description:
      "Several task messages of one queue in one queue message; each member is handled as if it came alone.",
  },
  "completion-message.schema.json": {
    schema: CompletionMessageWireSchema,
    title: "dagq completion message (v1)",
    description:
      "What a worker sends to the completion queue: one or more started/completed/failed reports.",
  },
} as const;

export function protocolSchemaText(file: keyof typeof PROTOCOL_SCHEMAS): string {
  const { schema, title, description } = PROTOCOL_SCHEMAS[file];
  const generated = z.toJSONSchema(schema, { io: "input" });
  const doc = {
    $schema: generated.$schema,
    $id: `urn:dagq:schema:${file.replace(".schema.json", "")}:v1`,
    title,
    description,
    ...generated,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
