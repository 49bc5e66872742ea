import { describe, expect, it } from "vitest";
import { byTrigger, functionTable } from "../../src/functions/registry.js";
import { memoryRuntime, testConfig } from "./httpFixture.js";

describe("the function table", () => {
  it("lists every function once, with triggers derived from the settings", () => {
    const config = testConfig({ DAGQ_PREFIX: "acme", DAGQ_ADMISSION_SCHEDULE: "*/5 * * * * *" });
    const rows = functionTable(memoryRuntime(config).rt).map((fn) =>
      byTrigger(fn, {
        queue: ({ name, trigger }) => `${name}: queue ${trigger.queue} via ${trigger.connection}`,
        timer: ({ name, trigger }) => `${name}: timer ${trigger.schedule}`,
        http: ({ name, trigger }) =>
          `${name}: ${trigger.methods.join(",")} ${trigger.route} (${trigger.authLevel})`,
      }),
    );
    expect(rows).toEqual([
      "completionIngest: queue acme-completions via DagqStorage",
      "control: queue acme-control via DagqStorage",
      "sweepRunning: timer */30 * * * * *",
      "sweepOrphans: timer 0 */5 * * * *",
      "admission: timer */5 * * * * *",
      "submitWorkflow: POST workflows (function)",
      "listWorkflows: GET workflows (function)",
      "getWorkflow: GET workflows/{id} (function)",
      "getWorkflowTasks: GET workflows/{id}/tasks (function)",
      "getTask: GET workflows/{id}/tasks/{task} (function)",
      "getTaskOutput: GET workflows/{id}/tasks/{task}/output (function)",
      "getTaskLog: GET workflows/{id}/tasks/{task}/logs (function)",
      "listWorkers: GET workers (function)",
      "getWorkflowGraph: GET workflows/{id}/graph (function)",
      "cancelWorkflow: POST workflows/{id}/cancel (function)",
      "rerunWorkflow: POST workflows/{id}/rerun (function)",
      "deleteWorkflow: DELETE workflows/{id} (function)",
      "startPurge: POST purge (function)",
      "getPurge: GET purge/{job} (function)",
      "summary: GET summary (function)",
      "health: GET health (function)",
      "dashboard: GET dashboard/{*path} (anonymous)",
    ]);
  });

  it("refuses a schedule that is not 6-field NCRONTAB when the settings are read", () => {
    expect(() => testConfig({ DAGQ_SWEEP_RUNNING_SCHEDULE: "*/5 * * * *" })).toThrow(
      /DAGQ_SWEEP_RUNNING_SCHEDULE/,
    );
  });
});
