import { afterEach, describe, expect, it, vi } from "vitest";
import { ingestCompletionMessage } from "../../src/engine/ingest.js";
import { getStatus } from "../../src/engine/queries.js";
import { SESSION_MODES, type SessionMode, WorkflowSession } from "../../src/engine/session.js";
import { submitWorkflow } from "../../src/engine/submit.js";
import { WorkflowLease } from "../../src/engine/workflowLease.js";
import { memoryStorage } from "../../src/memory/memoryStorage.js";
import { engineOn, message, settle, takeTasks } from "./fakeWorld.js";

/**
 * The session modes of src/engine/session.ts, as its header table states them, walked: real
 * coordinator runs produce every allowed transition and no other, and every other one throws.
 */
const ALLOWED: Record<SessionMode, readonly SessionMode[]> = {
  idle: ["running"],
  running: ["lingering", "idle"],
  lingering: ["running", "releasing"],
  releasing: ["running", "idle"],
};

const chain = {
  name: "chain",
  tasks: [
    { name: "a", command: "x" },
    { name: "b", command: "x", depends_on: ["a"] },
    { name: "c", command: "x", depends_on: ["b"] },
  ],
};

const done = (workflow_id: string, task: string) =>
  message([{ kind: "completed", workflow_id, task, attempt: 1 }]);

afterEach(() => vi.restoreAllMocks());

describe("coordinator session modes", () => {
  it("every observed transition is allowed, and every allowed one is observed", async () => {
    const seen = new Set<string>();
    const enter = WorkflowSession.prototype.enter;
    vi.spyOn(WorkflowSession.prototype, "enter").mockImplementation(function (
      this: WorkflowSession,
      next: SessionMode,
    ) {
      const from = this.mode;
      enter.call(this, next);
      expect(ALLOWED[from], `${from} -> ${next}`).toContain(next);
      seen.add(`${from}->${next}`);
    });
    const storage = memoryStorage();
    const a = await engineOn(storage, { coordinator: { lingerMs: 200 } });
    const b = await engineOn(storage);
    // idle -> running -> lingering (a holds the lease after submitting)
    const { id } = await submitWorkflow(a, chain);
    await takeTasks(a, () => ({ ok: true }));
    // lingering -> running: more work while a lingers
    await ingestCompletionMessage(a, done(id, "a"));
    // running -> idle: b finds the lease held and parks its events
    expect((await ingestCompletionMessage(b, done(id, "b"))).parked).toBe(1);
    // lingering -> releasing -> running: a finds b's parked events before letting go;
    // then releasing -> idle
    await settle([a, b]);
    expect((await getStatus(a, id, true))?.counts.completed).toBe(2);
    const all = SESSION_MODES.flatMap((from) => ALLOWED[from].map((to) => `${from}->${to}`));
    expect([...seen].sort()).toEqual(all.sort());
  });

  it("a transition outside the table throws, as do lingering without the lease and idling with it", async () => {
    const leased = async (held: boolean) => {
      const lease = new WorkflowLease(
        {
          acquireLease: async () => "L",
          renewLease: async () => true,
          releaseLease: async () => {},
        },
        "wf",
        30,
      );
      if (held) await lease.acquire(0);
      return lease;
    };
    // How to reach each mode, and whether the lease is held there.
    const path: Record<SessionMode, SessionMode[]> = {
      idle: [],
      running: ["running"],
      lingering: ["running", "lingering"],
      releasing: ["running", "lingering", "releasing"],
    };
    for (const from of SESSION_MODES) {
      for (const to of SESSION_MODES) {
        // Hold the lease where `to` needs it (lingering) and not where it forbids it (idle).
        const held = to === "lingering" || (to !== "idle" && path[from].includes("lingering"));
        const s = new WorkflowSession("wf", await leased(true));
        for (const step of path[from]) s.enter(step);
        if (!held) await s.lease.release();
        if (ALLOWED[from].includes(to)) expect(() => s.enter(to), `${from} -> ${to}`).not.toThrow();
        else expect(() => s.enter(to), `${from} -> ${to}`).toThrow(/cannot go from/);
      }
    }
    const s = new WorkflowSession("wf", await leased(false));
    s.enter("running");
    expect(() => s.linger(10, () => {})).toThrow(/without the lease/);
    await s.lease.acquire(0);
    expect(() => s.enter("idle")).toThrow(/holding the lease/);
    let expired = false;
    s.linger(1, () => {
      expired = true;
    });
    s.enter("releasing"); // leaving lingering clears its timer
    await new Promise((r) => setTimeout(r, 20));
    expect(expired).toBe(false);
  });

  it("flush gives up after its timeout on the engine's clock, not the wall clock", async () => {
    let now = 1_800_000_000_000;
    const clock = () => now;
    const storage = memoryStorage(clock);
    const { id } = await submitWorkflow(await engineOn(storage, { clock }), chain);
    // A second instance whose lease request never returns: its session stays running.
    const stuck = await engineOn(
      {
        ...storage,
        blobs: Object.assign(Object.create(storage.blobs), {
          acquireLease: () => new Promise<never>(() => {}),
        }),
      },
      { clock },
    );
    void stuck.coordinator.apply(id, [{ kind: "admit" }]);
    setTimeout(() => {
      now += 61_000;
    }, 50);
    const t0 = performance.now();
    await stuck.coordinator.flush(60_000);
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(stuck.coordinator.held()).toEqual([]);
  });
});
