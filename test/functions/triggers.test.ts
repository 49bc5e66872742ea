import type { Timer } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { DagqError } from "../../src/core/index.js";
import { packJson } from "../../src/engine/codec.js";
import { getStatus } from "../../src/engine/queries.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { admissionHandler } from "../../src/functions/admission.js";
import { completionIngestHandler } from "../../src/functions/completionIngest.js";
import { controlHandler } from "../../src/functions/control.js";
import type { Runtime } from "../../src/functions/runtime.js";
import { sweepOrphansHandler } from "../../src/functions/sweepOrphans.js";
import { sweepRunningHandler } from "../../src/functions/sweepRunning.js";
import type { StatsTelemetry } from "../../src/observability/telemetry.js";
import { memoryRuntime, pair, testConfig, testContext } from "./httpFixture.js";

const timer = (isPastDue = false): Timer => ({
  isPastDue,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: "", next: "", lastUpdated: "" },
});

const unreachable = (rt: Runtime): Runtime => ({
  ...rt,
  engine: () => Promise.reject(new Error("storage unreachable")),
});

describe("completionIngest", () => {
  it("applies a completion message handed over parsed or as text", async () => {
    const { rt, engine } = memoryRuntime();
    await rt.engine(); // provisions the storage
    const { id } = await submitWorkflow(engine, pair);
    const report = (task: string) => ({
      v: 1,
      completions: [
        { kind: "started", workflow_id: id, task, attempt: 1 },
        { kind: "completed", workflow_id: id, task, attempt: 1, output: { ok: true } },
      ],
    });
    const logs: string[] = [];
    await completionIngestHandler(rt)(report("prep/a"), testContext(logs));
    await completionIngestHandler(rt)(JSON.stringify(report("train/b")), testContext(logs));
    expect(await getStatus(engine, id, true)).toMatchObject({
      status: "completed",
      counts: { completed: 2 },
    });
    expect(logs).toEqual([
      "debug: completions: applied 2, parked 0, dropped 0, rejected 0",
      "debug: completions: applied 2, parked 0, dropped 0, rejected 0",
    ]);
    await engine.coordinator.flush();
  });

  it("throws when the engine fails, so the host retries the message", async () => {
    const rt = unreachable(memoryRuntime().rt);
    await expect(
      completionIngestHandler(rt)({ v: 1, completions: [] }, testContext()),
    ).rejects.toThrow("storage unreachable");
  });

  it("warns about malformed completions, which the engine sends to the poison queue", async () => {
    const { rt, engine } = memoryRuntime();
    await rt.engine();
    const logs: string[] = [];
    await completionIngestHandler(rt)(
      { v: 1, completions: [{ kind: "nonsense" }] },
      testContext(logs),
    );
    expect(logs).toEqual(["warning: completions: applied 0, parked 0, dropped 0, rejected 1"]);
    expect(await engine.storage.queues.depth("t-completions-poison")).toBe(1);
  });
});

describe("queue triggers and DagqError.retryable", () => {
  it("a non-retryable DagqError sends the message to the poison queue at once; the handler returns", async () => {
    const { rt, engine } = memoryRuntime();
    await rt.engine();
    const { id } = await submitWorkflow(engine, pair);
    await engine.coordinator.flush();
    // A state no retry can load: a head blob whose snapshot has no workflow record.
    await engine.storage.blobs.write(
      engine.names.headBlob(id),
      packJson({ v: 1, gen: 0, snapshot: {} }),
    );
    const message = {
      v: 1,
      completions: [{ kind: "started", workflow_id: id, task: "prep/a", attempt: 1 }],
    };
    const logs: string[] = [];
    await completionIngestHandler(rt)(message, testContext(logs));
    const [p] = await engine.storage.queues.receive("t-completions-poison", 1, 30);
    expect(JSON.parse(p!.text)).toMatchObject({
      reason: expect.stringMatching(/^INVALID_STATE: snapshot of .* has no workflow record/),
      source_queue: "t-completions",
      message: JSON.stringify(message),
    });
    expect(logs).toEqual([expect.stringMatching(/^error: .*INVALID_STATE.*t-completions-poison/)]);
  });

  it("one unreadable workflow does not cost another in the same message its retries", async () => {
    const { rt, engine } = memoryRuntime();
    await rt.engine();
    const apply = (id: string) =>
      id === "aaaa-unreadable"
        ? Promise.reject(new DagqError("INVALID_STATE", "unreadable"))
        : new Promise((_, reject) => setTimeout(() => reject(new Error("storage blip")), 20));
    const mixed = {
      ...rt,
      engine: async () => ({ ...engine, coordinator: { apply } }),
    } as unknown as Runtime;
    const message = {
      v: 1,
      completions: ["aaaa-unreadable", "bbbb-blip"].map((workflow_id) => ({
        kind: "started",
        workflow_id,
        task: "a",
        attempt: 1,
      })),
    };
    await expect(completionIngestHandler(mixed)(message, testContext())).rejects.toThrow(
      "storage blip",
    );
    expect(await engine.storage.queues.depth("t-completions-poison")).toBe(0);
  });

  it("a retryable DagqError, like any other error, is thrown for the host to retry", async () => {
    const { rt, engine } = memoryRuntime();
    await rt.engine();
    const failing = {
      ...rt,
      engine: async () => ({
        ...engine,
        coordinator: {
          apply: () => Promise.reject(new DagqError("INVALID_STATE", "try again", {}, true)),
        },
      }),
    } as unknown as Runtime;
    const message = {
      v: 1,
      completions: [{ kind: "started", workflow_id: "mwzdv4el-f00c3277ea", task: "a", attempt: 1 }],
    };
    await expect(completionIngestHandler(failing)(message, testContext())).rejects.toThrow(
      "try again",
    );
    expect(await engine.storage.queues.depth("t-completions-poison")).toBe(0);
  });
});

describe("control", () => {
  it("sends a malformed control message to the control poison queue with the reason", async () => {
    const { rt, engine } = memoryRuntime();
    const logs: string[] = [];
    await controlHandler(rt)("not json at all", testContext(logs));
    await controlHandler(rt)({ kind: "reboot" }, testContext(logs));
    const poisoned = await engine.storage.queues.receive("t-control-poison", 32, 30);
    expect(poisoned.map((m) => JSON.parse(m.text).message)).toEqual([
      "not json at all",
      JSON.stringify({ kind: "reboot" }),
    ]);
    expect(JSON.parse(poisoned[0]!.text)).toMatchObject({
      reason: expect.stringMatching(/^not JSON: /),
      source_queue: "t-control",
    });
    expect(logs).toHaveLength(2);
    expect(logs[0]).toMatch(/^error: control: malformed message sent to t-control-poison: /);
  });
});

describe("control poison records", () => {
  it("sets aside a malformed control message of nearly 64 KiB of multi-byte text within the limit", async () => {
    const { rt, engine } = memoryRuntime();
    const text = "😀".repeat(16_380); // 65,520 bytes: a valid queue message, but not JSON
    const logs: string[] = [];
    await controlHandler(rt)(text, testContext(logs));
    const [p] = await engine.storage.queues.receive("t-control-poison", 1, 30);
    expect(new TextEncoder().encode(p!.text).length).toBeLessThanOrEqual(65_536);
    const record = JSON.parse(p!.text);
    expect(record).toMatchObject({ source_queue: "t-control", truncated: true });
    expect(text.startsWith(record.message)).toBe(true);
    expect(record.message.length).toBeGreaterThan(text.length - 200);
  });
});

describe("timer functions", () => {
  it("sweepRunning visits running workflows and says when it runs late", async () => {
    const { rt, engine } = memoryRuntime();
    await rt.engine();
    await submitWorkflow(engine, pair);
    const logs: string[] = [];
    await sweepRunningHandler(rt)(timer(true), testContext(logs));
    expect(logs).toEqual([
      "warning: sweepRunning: running late",
      "information: sweepRunning: examined 1, visited 1, timed out 0, busy 0, gone 0",
    ]);
    await engine.coordinator.flush();
  });

  it("sweepRunning counts each visit once: the engine counts, the handler only logs", async () => {
    const { rt, engine } = memoryRuntime();
    await rt.engine();
    await submitWorkflow(engine, pair);
    await sweepRunningHandler(rt)(timer(), testContext());
    expect((engine.telemetry as StatsTelemetry).counter("sweep.visited")).toBe(1);
    await engine.coordinator.flush();
  });

  it("sweepOrphans findings count as sweep.orphans.*; sweep.repaired stays ready-repair's", async () => {
    const { rt, engine } = memoryRuntime();
    await rt.engine();
    const { id } = await submitWorkflow(engine, pair);
    await engine.coordinator.flush();
    await engine.index.delete(id); // a crash between the state write and the row write
    await engine.inbox.put(id, [{ kind: "admit" }], engine.clock() - 3_600_000);
    await sweepOrphansHandler(rt)(timer(), testContext());
    const stats = engine.telemetry as StatsTelemetry;
    expect(stats.counter("sweep.orphans.inboxesDrained")).toBe(1);
    expect(stats.counter("sweep.repaired")).toBe(0);
    await engine.coordinator.flush();
  });

  it("sweepOrphans reports a clean deployment at information level", async () => {
    const { rt } = memoryRuntime();
    const logs: string[] = [];
    await sweepOrphansHandler(rt)(timer(), testContext(logs));
    expect(logs).toEqual([
      "information: sweepOrphans: inboxes drained 0, discarded 0; rows repaired 0, removed 0; reconciled 0",
    ]);
  });

  it("admission does nothing without a limit and admits pending workflows with one", async () => {
    const none = unreachable(memoryRuntime().rt);
    await expect(admissionHandler(none)(timer(), testContext())).resolves.toBeUndefined();
    const config = testConfig({ DAGQ_MAX_RUNNING_WORKFLOWS: "1" });
    const { rt, engine } = memoryRuntime(config);
    await rt.engine();
    const { id, status } = await submitWorkflow(engine, pair);
    expect(status).toBe("pending");
    const logs: string[] = [];
    await admissionHandler(rt)(timer(), testContext(logs));
    expect(logs).toEqual(["information: admission: admitted 1 workflow(s)"]);
    expect(await getStatus(engine, id, true)).toMatchObject({ status: "running" });
    await engine.coordinator.flush();
  });
});
