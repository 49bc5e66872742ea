import type { StorageQueueHandler } from "@azure/functions";
import { z } from "zod";
import { assertNever } from "../core/index.js";
import {
  PurgeJobSchema,
  PurgeWorkflowSchema,
  runPurgeStep,
  runPurgeWorkflowStep,
} from "../engine/purge.js";
import { sendToPoison } from "../protocol/poison.js";
import { parseQueuePayload, payloadText } from "../protocol/queuePayload.js";
import { withFailurePolicy } from "./queueFailure.js";
import type { Runtime } from "./runtime.js";

/** Everything the control queue carries; a union so that a new kind must be handled below. */
const ControlMessageSchema = z.discriminatedUnion("kind", [PurgeJobSchema, PurgeWorkflowSchema]);

/**
 * The control queue's trigger: long-running maintenance one bounded step per message (purge
 * jobs, and the blobs a DELETE of a huge workflow left), each step well inside functionTimeout.
 * A malformed message will never parse, so retrying it is pointless: it goes to the poison
 * queue with the reason at once, where the doctor reports it.
 */
export function controlHandler(rt: Runtime): StorageQueueHandler {
  return withFailurePolicy(rt, rt.names.controlQueue, async (message, context) => {
    const engine = await rt.engine();
    const parsed = parseQueuePayload(message, ControlMessageSchema);
    if (!parsed.ok) {
      const poison = await sendToPoison(
        engine.storage.queues,
        {
          sourceQueue: engine.names.controlQueue,
          message: payloadText(message),
          reason: parsed.reason,
        },
        engine.clock(),
      );
      context.error(`control: malformed message sent to ${poison}: ${parsed.reason}`);
      return;
    }
    const job = parsed.value;
    switch (job.kind) {
      case "purge": {
        const p = await runPurgeStep(engine, job);
        context.log(
          `purge ${p.job}: ${p.purged} workflow(s) purged${p.done ? ", done" : ", continuing"}`,
        );
        return;
      }
      case "purgeWorkflow": {
        const done = await runPurgeWorkflowStep(engine, job);
        context.log(
          `workflow ${job.id}: blobs ${done ? "purged, done" : "purged in part, continuing"}`,
        );
        return;
      }
      default:
        return assertNever(job, "control message kind");
    }
  });
}
