import type { HttpHandler, HttpMethod, StorageQueueHandler, TimerHandler } from "@azure/functions";
import { assertNever } from "../core/index.js";
import { admissionHandler } from "./admission.js";
import { cancelWorkflowHandler } from "./cancelWorkflow.js";
import { completionIngestHandler } from "./completionIngest.js";
import { controlHandler } from "./control.js";
import { dashboardHandler } from "./dashboard.js";
import { deleteWorkflowHandler } from "./deleteWorkflow.js";
import { getPurgeHandler } from "./getPurge.js";
import { getTaskHandler } from "./getTask.js";
import { getTaskLogHandler } from "./getTaskLog.js";
import { getTaskOutputHandler } from "./getTaskOutput.js";
import { getWorkflowHandler } from "./getWorkflow.js";
import { getWorkflowGraphHandler } from "./getWorkflowGraph.js";
import { getWorkflowTasksHandler } from "./getWorkflowTasks.js";
import { healthHandler } from "./health.js";
import { listWorkersHandler } from "./listWorkers.js";
import { listWorkflowsHandler } from "./listWorkflows.js";
import { rerunWorkflowHandler } from "./rerunWorkflow.js";
import type { Runtime } from "./runtime.js";
import { startPurgeHandler } from "./startPurge.js";
import { submitWorkflowHandler } from "./submitWorkflow.js";
import { summaryHandler } from "./summary.js";
import { sweepOrphansHandler } from "./sweepOrphans.js";
import { sweepRunningHandler } from "./sweepRunning.js";

/** The app setting (or its `__accountName` family) both the trigger and the engine connect with. */
export const STORAGE_CONNECTION = "DagqStorage";

export type AuthLevel = "anonymous" | "function" | "admin";

export interface QueueFunction {
  readonly name: string;
  readonly trigger: { readonly kind: "queue"; readonly queue: string; readonly connection: string };
  readonly handler: StorageQueueHandler;
}

export interface TimerFunction {
  readonly name: string;
  /** An NCRONTAB schedule: six fields, seconds first. */
  readonly trigger: { readonly kind: "timer"; readonly schedule: string };
  readonly handler: TimerHandler;
}

export interface HttpFunction {
  readonly name: string;
  readonly trigger: {
    readonly kind: "http";
    readonly methods: readonly HttpMethod[];
    /** Below the host's route prefix (`api`), with `{name}` parameters. */
    readonly route: string;
    readonly authLevel: AuthLevel;
  };
  readonly handler: HttpHandler;
}

export type FunctionDefinition = QueueFunction | TimerFunction | HttpFunction;

/**
 * Calls the visitor for the definition's trigger kind. TypeScript does not narrow a union by a
 * nested discriminant (`fn.trigger.kind`), so the one cast per kind lives here, not in callers.
 */
export function byTrigger<R>(
  fn: FunctionDefinition,
  on: {
    readonly queue: (fn: QueueFunction) => R;
    readonly timer: (fn: TimerFunction) => R;
    readonly http: (fn: HttpFunction) => R;
  },
): R {
  const kind = fn.trigger.kind;
  switch (kind) {
    case "queue":
      return on.queue(fn as QueueFunction);
    case "timer":
      return on.timer(fn as TimerFunction);
    case "http":
      return on.http(fn as HttpFunction);
    default:
      return assertNever(kind, "trigger kind");
  }
}

/**
 * Every function of the app, once: `index.ts` registers this table with the Functions host and
 * the local host (src/host) drives the same table, so the two cannot drift apart.
 *
 * The completion queue's name is computed from DAGQ_PREFIX, not taken from a binding expression
 * such as `%DAGQ_COMPLETION_QUEUE%`: the engine writes that same name into every task message
 * (where workers send their reports), so a second setting could only disagree with it.
 */
export function functionTable(rt: Runtime): readonly FunctionDefinition[] {
  const { names, settings } = rt;
  const queue = (name: string, q: string, handler: StorageQueueHandler): FunctionDefinition => ({
    name,
    trigger: { kind: "queue", queue: q, connection: STORAGE_CONNECTION },
    handler,
  });
  const timer = (name: string, schedule: string, handler: TimerHandler): FunctionDefinition => ({
    name,
    trigger: { kind: "timer", schedule },
    handler,
  });
  const http = (
    name: string,
    method: HttpMethod,
    route: string,
    handler: HttpHandler,
    authLevel: AuthLevel = "function",
  ): FunctionDefinition => ({
    name,
    trigger: { kind: "http", methods: [method], route, authLevel },
    handler,
  });
  return [
    queue("completionIngest", names.completionQueue, completionIngestHandler(rt)),
    queue("control", names.controlQueue, controlHandler(rt)),
    timer("sweepRunning", settings.DAGQ_SWEEP_RUNNING_SCHEDULE, sweepRunningHandler(rt)),
    timer("sweepOrphans", settings.DAGQ_SWEEP_ORPHANS_SCHEDULE, sweepOrphansHandler(rt)),
    timer("admission", settings.DAGQ_ADMISSION_SCHEDULE, admissionHandler(rt)),
    http("submitWorkflow", "POST", "workflows", submitWorkflowHandler(rt)),
    http("listWorkflows", "GET", "workflows", listWorkflowsHandler(rt)),
    http("getWorkflow", "GET", "workflows/{id}", getWorkflowHandler(rt)),
    http("getWorkflowTasks", "GET", "workflows/{id}/tasks", getWorkflowTasksHandler(rt)),
    http("getTask", "GET", "workflows/{id}/tasks/{task}", getTaskHandler(rt)),
    http("getTaskOutput", "GET", "workflows/{id}/tasks/{task}/output", getTaskOutputHandler(rt)),
    http("getTaskLog", "GET", "workflows/{id}/tasks/{task}/logs", getTaskLogHandler(rt)),
    http("listWorkers", "GET", "workers", listWorkersHandler(rt)),
    http("getWorkflowGraph", "GET", "workflows/{id}/graph", getWorkflowGraphHandler(rt)),
    http("cancelWorkflow", "POST", "workflows/{id}/cancel", cancelWorkflowHandler(rt)),
    http("rerunWorkflow", "POST", "workflows/{id}/rerun", rerunWorkflowHandler(rt)),
    http("deleteWorkflow", "DELETE", "workflows/{id}", deleteWorkflowHandler(rt)),
    http("startPurge", "POST", "purge", startPurgeHandler(rt)),
    http("getPurge", "GET", "purge/{job}", getPurgeHandler(rt)),
    http("summary", "GET", "summary", summaryHandler(rt)),
    http("health", "GET", "health", healthHandler(rt)),
    // Static files only: every API call the page makes still needs the function key.
    http("dashboard", "GET", "dashboard/{*path}", dashboardHandler(), "anonymous"),
  ];
}
