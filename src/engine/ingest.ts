import { type Completion, parseCompletionMessage } from "../protocol/messages.js";
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
 * several workflows), send malformed completions to the poison queue with the reason, and hand
 * the rest to the coordinator per workflow. Resolves only when every valid completion is durable
 * (in its workflow's journal or inbox), so the trigger acknowledges the message only then; a
 * throw makes the queue deliver it again, and re-applying is harmless (attempt numbers).
 */
export async function ingestCompletionMessage(engine: Engine, raw: unknown): Promise<IngestResult> {
  // The Functions host hands over a parsed object when the message is JSON; other hosts a string.
  const text =
    typeof raw === "string"
      ? raw
      : Buffer.isBuffer(raw)
        ? raw.toString("utf8")
        : JSON.stringify(raw);
  const { valid, rejected } = parseCompletionMessage(text);
  if (rejected.length > 0) {
    const poison = engine.names.poisonQueue(engine.names.completionQueue);
    await engine.storage.queues.send(
      poison,
      JSON.stringify({ reason: rejected.map((r) => r.reason), items: rejected.map((r) => r.item) }),
    );
    engine.telemetry.count("completions.poisoned", rejected.length);
    engine.telemetry.log(
      "warn",
      `completion message: ${rejected.length} malformed completion(s) sent to ${poison}`,
      { reasons: rejected.map((r) => r.reason) },
    );
  }
  const byWorkflow = new Map<string, Completion[]>();
  for (const c of valid) {
    const list = byWorkflow.get(c.workflow_id) ?? [];
    list.push(c);
    byWorkflow.set(c.workflow_id, list);
  }
  const outcomes = await Promise.all(
    [...byWorkflow].map(
      async ([id, events]) =>
        [await engine.coordinator.apply(id, events), events.length] as [Outcome, number],
    ),
  );
  const sum = (o: Outcome) => outcomes.filter(([x]) => x === o).reduce((n, [, k]) => n + k, 0);
  engine.telemetry.count("completions.received", valid.length);
  return {
    applied: sum("applied"),
    parked: sum("parked"),
    dropped: sum("gone"),
    rejected: rejected.length,
  };
}
