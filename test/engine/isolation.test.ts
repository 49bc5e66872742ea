import { describe, expect, it } from "vitest";
import { applyEvents } from "../../src/core/index.js";
import type { Reduce } from "../../src/engine/batch.js";
import { ingestCompletionMessage } from "../../src/engine/ingest.js";
import { getTasks } from "../../src/engine/queries.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { BACKENDS, engineFor, message, settle } from "./fakeWorld.js";

/**
 * Issue 10: one report that makes the cycle throw sank every report coalesced with it (the
 * whole cycle, hence every message feeding it, retried and poisoned). The reducer never throws
 * on valid input today, so a faulty one stands in for a future bug: it throws on any report
 * for a task named `cursed`.
 */
const faulty: Reduce = (run, events, now, opts) => {
  for (const e of events) {
    if ("task" in e && run.def.tasks[e.task]?.name === "cursed" && e.kind === "completed")
      throw new RangeError("Maximum call stack size exceeded (simulated)");
  }
  return applyEvents(run, events, now, opts);
};

const flow = {
  name: "flow",
  tasks: [
    { name: "a", command: "x" },
    { name: "b", command: "x" },
    { name: "cursed", command: "x" },
    { name: "after", command: "x", depends_on: ["a", "b"] },
  ],
};

describe.each(BACKENDS)("one bad report never sinks another (%s)", (backend) => {
  it("a message with one poisoned report and good ones from two workflows: the good ones apply", async () => {
    const { engine, storage } = await engineFor(backend, { reduce: faulty });
    const [w1, w2] = await Promise.all([
      submitWorkflow(engine, flow),
      submitWorkflow(engine, flow),
    ]);
    const done = (id: string, task: string) => ({
      kind: "completed" as const,
      workflow_id: id,
      task,
      attempt: 1,
      output: { ok: true },
    });
    // One message: w1's a, b and cursed; w2's a and b.
    const result = await ingestCompletionMessage(
      engine,
      message([
        done(w1!.id, "a"),
        done(w1!.id, "cursed"),
        done(w1!.id, "b"),
        done(w2!.id, "a"),
        done(w2!.id, "b"),
      ]),
    );
    expect(result.applied).toBe(5);
    await settle([engine]);
    const states = async (id: string) =>
      Object.fromEntries((await getTasks(engine, id, {}))!.tasks.map((t) => [t.name, t.status]));
    expect(await states(w1!.id)).toEqual({
      a: "completed",
      after: "ready",
      b: "completed",
      cursed: "ready",
    });
    expect((await states(w2!.id)).after).toBe("ready");
    // The one bad report, alone, in the poison queue with the reason.
    const poison = await storage.queues.receive(`${engine.names.completionQueue}-poison`, 32, 30);
    expect(poison).toHaveLength(1);
    const record = JSON.parse(poison[0]!.text) as { reason: string; message: string };
    expect(record.reason).toContain("the reducer threw: Maximum call stack size exceeded");
    expect(JSON.parse(record.message)).toMatchObject({ task: "cursed", workflow_id: w1!.id });
  });
});
