/**
 * The API's shapes, as the server's own types (type-only imports: nothing of the server is
 * bundled). The page is served by the deployment whose API it calls, so the two are the same
 * version; the bytes of a runtime validator (zod) would buy little here.
 */
export type { Overview, WorkflowStatus } from "../../src/client/schemas.js";
export type { GraphNode, GraphView } from "../../src/core/graphView.js";
export type { TaskView } from "../../src/core/query.js";
export type { TaskState, WorkflowState } from "../../src/core/states.js";
export type { Summary } from "../../src/core/summary.js";
export type { ConditionOutcome, TaskDetail } from "../../src/core/taskDetail.js";
export type { TaskLogChunk } from "../../src/core/taskLogChunk.js";
export type { TaskSort, TaskWindow } from "../../src/core/taskWindow.js";

import type { GraphView } from "../../src/core/graphView.js";
import type { Summary } from "../../src/core/summary.js";

/** GET workflows/{id}/graph. */
export interface WorkflowGraph extends GraphView {
  readonly workflow: Summary;
}

import type { WorkerRecord } from "../../src/storage/workerRecord.js";

/** GET workers: one of `workers`. */
export interface WorkerView extends WorkerRecord {
  readonly live: boolean;
}
