import { describe, expect, it } from "vitest";
import { compileDefinition } from "../../src/core/index.js";
import { getStatus, getTasks } from "../../src/engine/queries.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { getTaskDetail } from "../../src/engine/taskQueries.js";
import { runLocal } from "../../src/local/runner.js";
import { until, workerWorld } from "./pump.js";

/**
 * A map through real shell tasks, in run-local and through a worker: each instance gets
 * DAGQ_MAP_INDEX and its item in DAGQ_MAP_ITEM, its children read every instance's output. An
 * item too large for a task message travels in a blob, an output too large for the state too,
 * and a condition reading it gets the value.
 */
const big = "x".repeat(60 * 1024);
const definition = {
  name: "map",
  tasks: [
    {
      name: "split",
      command: `pad=$(head -c ${big.length} /dev/zero | tr '\\0' x); printf '{"shards":[{"n":1},{"n":2},{"n":3,"pad":"%s"}],"empty":[]}' "$pad" > "$DAGQ_OUTPUT"`,
    },
    {
      name: "train",
      depends_on: ["split"],
      map: "inputs.split.shards",
      // The output holds the index and the item (the last one's is large: it echoes its padded
      // item); an instance's inputs are its map's.
      command: `grep -q '"split"' "$DAGQ_INPUTS" && printf '{"k":%s,"item":%s}' "$DAGQ_MAP_INDEX" "$(cat "$DAGQ_MAP_ITEM")" > "$DAGQ_OUTPUT"`,
    },
    {
      name: "none",
      depends_on: ["split"],
      map: "inputs.split.empty",
      command: "exit 1",
    },
    {
      name: "agg",
      depends_on: ["train"],
      condition: 'sum(inputs["train[*]"].item.n) == 6 and all(inputs["train[*]"].k >= 0)',
      command: `node -e 'const fs = require("fs"); fs.writeFileSync(process.env.DAGQ_OUTPUT, JSON.stringify({ names: Object.keys(JSON.parse(fs.readFileSync(process.env.DAGQ_INPUTS, "utf8"))) }))'`,
    },
    { name: "after-none", depends_on: ["none"], command: "true" },
  ],
};

const want = {
  split: "completed",
  train: "completed",
  none: "skipped",
  agg: "completed",
  "after-none": "skipped",
  "train[0]": "completed",
  "train[1]": "completed",
  "train[2]": "completed",
};

describe("map through real tasks", () => {
  it("run-local: DAGQ_MAP_INDEX and DAGQ_MAP_ITEM per instance; children read them all", async () => {
    const r = await runLocal(compileDefinition(definition));
    expect(r.status).toBe("completed");
    expect(Object.fromEntries(Object.entries(r.tasks).map(([n, t]) => [n, t.status]))).toEqual(
      want,
    );
    expect(Object.keys(r.tasks)).toEqual(Object.keys(want));
    expect(r.tasks["train[1]"]?.output).toMatchObject({ k: 1, item: { n: 2 } });
    expect(r.tasks.agg?.output).toEqual({ names: ["train[0]", "train[1]", "train[2]"] });
    expect(r.tasks.none?.reason).toBe("map gave an empty list: no instance ran");
  });

  it("serverless: the same, with the large item and output in blobs", async () => {
    const { engine, storage, stop } = await workerWorld();
    try {
      const { id } = await submitWorkflow(engine, definition);
      const s = await until("the workflow to finish", async () => {
        const s = await getStatus(engine, id, true);
        return s?.status === "completed" || s?.status === "failed" ? s : null;
      });
      expect(s.status).toBe("completed");
      expect(s.total).toBe(8);
      const tasks = (await getTasks(engine, id, {}))!.tasks;
      expect(Object.fromEntries(tasks.map((t) => [t.name, t.status]))).toEqual(want);
      const byName = Object.fromEntries(tasks.map((t) => [t.name, t.output]));
      expect(byName["train[2]"]).toMatchObject({ k: 2, item: { n: 3, pad: big } });
      expect(byName.agg).toEqual({ names: ["train[0]", "train[1]", "train[2]"] });
      const detail = await getTaskDetail(engine, id, "train[2]");
      expect(detail).toMatchObject({ value: { instance: { of: "train", index: 2 } } });
      const blobs: string[] = [];
      for await (const p of storage.blobs.list(`wf/${id}/`)) blobs.push(p);
      expect(blobs).toContain(`wf/${id}/inputs/train[2]/1.item.json`);
      expect(blobs).toContain(`wf/${id}/outputs/train[2]/1.json`);
    } finally {
      await stop();
    }
  });
});
