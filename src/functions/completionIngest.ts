import type { StorageQueueHandler } from "@azure/functions";
import { ingestCompletionMessage } from "../engine/ingest.js";
import { withFailurePolicy } from "./queueFailure.js";
import type { Runtime } from "./runtime.js";

/**
 * The completion queue's trigger: applies a worker's completion message. It returns only once
 * the completions are durable, so the host deletes the message only then; a throw leaves the
 * message to come back after the visibility timeout (re-applying is harmless), and after
 * maxDequeueCount failures the host moves it to the poison queue. Malformed completions are
 * already sent to the poison queue by the engine, with the reason, and so is a message whose
 * workflow's state cannot be read (a DagqError that is not retryable: queueFailure.ts).
 */
export function completionIngestHandler(rt: Runtime): StorageQueueHandler {
  return withFailurePolicy(rt, rt.names.completionQueue, async (message, context) => {
    const r = await ingestCompletionMessage(await rt.engine(), message);
    const line = `applied ${r.applied}, parked ${r.parked}, dropped ${r.dropped}, rejected ${r.rejected}`;
    if (r.rejected > 0 || r.dropped > 0) context.warn(`completions: ${line}`);
    else context.debug(`completions: ${line}`);
  });
}
