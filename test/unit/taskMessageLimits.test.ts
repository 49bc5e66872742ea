/**
 * Found by the task-message fuzz: a message's timeout_s of 1e9 reached setTimeout as 1e12 ms,
 * which Node cannot hold and runs after 1 ms instead: the worker killed the task at once as
 * "timed out after 1000000000s". No definition allows more than 7 days, so no coordinator
 * sends more; a message that does is malformed.
 */
import { describe, expect, it } from "vitest";
import { LIMITS } from "../../src/core/index.js";
import { TaskMessageSchema } from "../../src/protocol/messages.js";

const message = (timeout_s: unknown) => ({
  v: 1,
  workflow_id: "wf-1",
  task: "a",
  attempt: 1,
  command: "true",
  env: {},
  timeout_s,
  completion_queue: "p-completions",
  signals_blob: "wf/wf-1/signals.json",
});

describe("a task message's timeout", () => {
  it("is at most what a definition allows", () => {
    expect(TaskMessageSchema.safeParse(message(LIMITS.maxTimeoutS)).success).toBe(true);
    expect(TaskMessageSchema.safeParse(message(null)).success).toBe(true);
    expect(TaskMessageSchema.safeParse(message(LIMITS.maxTimeoutS + 1)).success).toBe(false);
    expect(TaskMessageSchema.safeParse(message(1e9)).success).toBe(false);
  });
});
