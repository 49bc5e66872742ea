import type { StorageQueueHandler } from "@azure/functions";
import { DagqError } from "../core/index.js";
import { sendToPoison } from "../protocol/poison.js";
import { payloadText } from "../protocol/queuePayload.js";
import type { Runtime } from "./runtime.js";

/**
 * A queue trigger's handler under dagq's failure policy (DagqError.retryable). Any error that
 * retrying may cure (a retryable DagqError, or any other error: storage trouble, a lost lease) is
 * thrown: the host makes the message visible again and, after maxDequeueCount failures, moves it
 * to the poison queue. A DagqError that is not retryable (a stored state or definition that
 * cannot be read) would fail the same way five times: the message goes to the poison queue at
 * once, in a poison record with the error's code and message, and the handler returns, so the
 * host deletes it.
 */
export function withFailurePolicy(
  rt: Runtime,
  queue: string,
  handle: StorageQueueHandler,
): StorageQueueHandler {
  return async (message, context) => {
    try {
      await handle(message, context);
    } catch (e) {
      if (!(e instanceof DagqError) || e.retryable) throw e;
      const engine = await rt.engine();
      const reason = `${e.code}: ${e.message}`;
      const poison = await sendToPoison(
        engine.storage.queues,
        { sourceQueue: queue, message: payloadText(message), reason },
        engine.clock(),
      );
      context.error(`${context.functionName}: ${reason}; message sent to ${poison}`);
    }
  };
}
