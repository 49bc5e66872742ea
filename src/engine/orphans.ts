import { summarize, wakeAt } from "../core/index.js";
import { allShards } from "../storage/layout.js";
import type { Engine } from "./context.js";
import { forEachRow } from "./sweeps.js";

export interface OrphanReport {
  /** Purged workflows whose late blobs (outputs spilled after the purge) were deleted. */
  readonly lateBlobsSwept: number;
  readonly inboxesDrained: number;
  readonly inboxesDiscarded: number;
  readonly rowsRepaired: number;
  readonly rowsRemoved: number;
  readonly reconciled: number;
}

/** How long after a purge the sweep still looks for blobs written under the workflow's prefix. */
export const TOMBSTONE_MS = 60 * 60_000;

/**
 * The orphan sweep repairs what crashes leave behind:
 * - inbox entries nobody drains (their writer's lease holder died): drained under the lease, or
 *   discarded when the workflow no longer exists (completions for a purged workflow);
 * - index rows out of step with the state (a crash between the state write and the row write):
 *   rewritten from the state, or removed when the state is gone;
 * - pending tasks whose parents already decide them: decided (reconcile), under the lease.
 * Rows are only judged once older than `graceMs`, so a workflow being created is left alone.
 */
export async function sweepOrphans(
  engine: Engine,
  // A live holder drains its inbox every inboxPollMs; an entry older than a whole lease means
  // the holder died (its lease has lapsed since) or nobody held the lease at all.
  graceMs = engine.config.leaseS * 1000 + 5000,
): Promise<OrphanReport> {
  const now = engine.clock();
  const report = {
    lateBlobsSwept: 0,
    inboxesDrained: 0,
    inboxesDiscarded: 0,
    rowsRepaired: 0,
    rowsRemoved: 0,
    reconciled: 0,
  };
  // A purge converges: blobs a running task wrote after it (a late spilled output) are deleted
  // for an hour after it; the worker checks before it spills, so later ones are not expected.
  for await (const t of engine.index.tombstones()) {
    if (now - t.purgedAt > TOMBSTONE_MS) await engine.index.removeTombstone(t.id);
    else if (await engine.state.purgeLeftovers(t.id)) report.lateBlobsSwept++;
  }
  for (const id of await engine.inbox.parked(now - graceMs)) {
    if (!(await engine.state.definition(id))) {
      await engine.inbox.remove(
        id,
        (await engine.inbox.list(id)).map((e) => e.key),
      );
      report.inboxesDiscarded++;
    } else if ((await engine.coordinator.apply(id, [])) === "applied") {
      report.inboxesDrained++;
    }
  }
  await forEachRow(engine, allShards(), undefined, async (row) => {
    if (row.status !== "running" && row.status !== "pending") return;
    if (now - row.updatedAt < graceMs) return;
    const loaded = await engine.state.load(row.id);
    if (!loaded) {
      await engine.index.delete(row.id);
      report.rowsRemoved++;
      return;
    }
    const s = summarize(loaded.run);
    if (s.status !== row.status || s.counts.completed !== row.counts.completed) {
      await engine.index.put(s, now, wakeAt(loaded.run, now, engine.config));
      report.rowsRepaired++;
    }
    if (
      s.status === "running" &&
      (await engine.coordinator.apply(row.id, [], () => ({ events: [], reconcile: true }))) ===
        "applied"
    ) {
      report.reconciled++;
    }
  });
  for (const [name, n] of Object.entries(report))
    if (n > 0) engine.telemetry.count(`sweep.orphans.${name}`, n);
  return report;
}
