import { DagqError } from "../core/index.js";
import { type Completion, parseCompletionMessage } from "../protocol/messages.js";
import { sendToPoison } from "../protocol/poison.js";
import { payloadText } from "../protocol/queuePayload.js";
import type { Engine } from "./context.js";
import type { Outcome } from "./coordinator.js";

export interface IngestResult {
  readonly applied: number;
  readonly parked: number;
  readonly dropped: number;
  readonly rejected: number;
}

/**
 * The completion-queue trigger's work: validate a message (one or many completions, possibly of
 * several workflows), set it aside in the poison queue with the reason when some completions are
 * malformed (a poison record, src/protocol/poison.ts; the valid ones are still applied), and hand
 * the rest to the coordinator per workflow. Resolves only when every valid completion is durable
 * (in its workflow's journal or inbox), so the trigger acknowledges the message only then; a
 * throw makes the queue deliver it again, and re-applying is harmless (attempt numbers).
 */
export async function ingestCompletionMessage(engine: Engine, raw: unknown): Promise<IngestResult> {
  const { valid, rejected } = parseCompletionMessage(raw);
  if (rejected.length > 0) {
    const reasons = rejected.map((r) => r.reason);
    const poison = await sendToPoison(
      engine.storage.queues,
      {
        sourceQueue: engine.names.completionQueue,
        message: payloadText(raw),
        reason: reasons.join("\n"),
      },
      engine.clock(),
    );
    engine.telemetry.count("completions.poisoned", rejected.length);
    engine.telemetry.log(
      "warn",
      `completion message: ${rejected.length} malformed completion(s) sent to ${poison}`,
      { reasons },
    );
  }
  const byWorkflow = new Map<string, Completion[]>();
  for (const c of valid) {
    const list = byWorkflow.get(c.workflow_id) ?? [];
    list.push(c);
    byWorkflow.set(c.workflow_id, list);
  }
  const settled = await Promise.allSettled(
    [...byWorkflow].map(
      async ([id, events]) =>
        [await engine.coordinator.apply(id, events), events.length] as [Outcome, number],
    ),
  );
  const failures = settled.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
  // Every workflow settles before the message is given back, retried or set aside as one; an
  // error retrying may cure wins, so one unreadable workflow cannot cost another its retries.
  if (failures.length > 0)
    throw failures.find((e) => !(e instanceof DagqError) || e.retryable) ?? failures[0];
  const outcomes = settled.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const sum = (o: Outcome) => outcomes.filter(([x]) => x === o).reduce((n, [, k]) => n + k, 0);
  engine.telemetry.count("completions.received", valid.length);
  return {
    applied: sum("applied"),
    parked: sum("parked"),
    dropped: sum("gone"),
    rejected: rejected.length,
  };
}
