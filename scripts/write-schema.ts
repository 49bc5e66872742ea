import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PROTOCOL_SCHEMAS, protocolSchemaText } from "../src/protocol/protocolSchema.js";
import { workflowJsonSchemaText } from "../src/workflowSchema.js";

// test/unit/schema.test.ts fails when a committed file and this output differ.
const write = (name: string, text: string) => {
  const target = fileURLToPath(new URL(`../schema/${name}`, import.meta.url));
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
};
write("workflow.schema.json", workflowJsonSchemaText());
for (const name of Object.keys(PROTOCOL_SCHEMAS) as Array<keyof typeof PROTOCOL_SCHEMAS>)
  write(name, protocolSchemaText(name));
