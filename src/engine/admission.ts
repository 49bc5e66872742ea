import type { Engine } from "./context.js";
import type { IndexRow } from "./workflowIndex.js";

const SENTINEL = "admission.lock";

/**
 * Admission control: with a maximum of running workflows, activates pending workflows in FIFO
 * order (by submission time) while there is room. One pass at a time, serialized by a lease on a
 * sentinel blob, so two passes never admit into the same room. Returns how many it admitted.
 */
export async function admitPending(engine: Engine): Promise<number> {
  const max = engine.config.maxRunningWorkflows;
  if (max === 0) return 0;
  const { blobs } = engine.storage;
  await blobs.create(SENTINEL, new Uint8Array()); // null when it exists already: fine
  const leaseId = await blobs.acquireLease(SENTINEL, 30);
  if (leaseId === null) return 0;
  try {
    let running = 0;
    const pending: IndexRow[] = [];
    for await (const row of engine.index.all()) {
      if (row.status === "running") running++;
      else if (row.status === "pending") pending.push(row);
    }
    engine.telemetry.observe("admission.queue", pending.length);
    const room = max - running;
    if (room <= 0 || pending.length === 0) return 0;
    pending.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    let admitted = 0;
    for (const row of pending.slice(0, room)) {
      const outcome = await engine.coordinator.apply(row.id, [{ kind: "admit" }]);
      if (outcome === "applied" || outcome === "parked") admitted++;
    }
    engine.telemetry.count("workflows.admitted", admitted);
    return admitted;
  } finally {
    await blobs.releaseLease(SENTINEL, leaseId);
  }
}
