import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { workflowJsonSchemaText } from "../src/workflowSchema.js";

// test/unit/schema.test.ts fails when the committed file and this output differ.
const target = fileURLToPath(new URL("../schema/workflow.schema.json", import.meta.url));
writeFileSync(target, workflowJsonSchemaText());
console.log(`wrote ${target}`);
