import { describe, expect, it } from "vitest";
import { DagqError } from "../../src/core/index.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { readDefinitionDocument } from "../support/examples.js";
import { memoryEngine } from "./fakeWorld.js";

/** examples/nightly.yaml does what its comment says: a retried submission is one workflow. */
describe("examples/nightly.yaml", () => {
  it("submitted twice under one id is one workflow; other params under that id are refused", async () => {
    const { engine } = await memoryEngine();
    const doc = readDefinitionDocument("examples/nightly.yaml");
    const opts = { id: "nightly-2026-01-05", params: { date: "2026-01-05" } };
    const first = await submitWorkflow(engine, doc, opts);
    const again = await submitWorkflow(engine, doc, opts);
    expect(first).toMatchObject({ created: true, id: "nightly-2026-01-05", tasks: 2 });
    expect(again).toMatchObject({ created: false, id: "nightly-2026-01-05", tasks: 2 });
    const other = submitWorkflow(engine, doc, { ...opts, params: { date: "2026-01-06" } });
    await expect(other).rejects.toBeInstanceOf(DagqError);
  });
});
