import type { Engine } from "../../src/engine/context.js";
import { ingestCompletionMessage } from "../../src/engine/ingest.js";
import { type StartWorkerOptions, startWorker } from "../../src/worker/startWorker.js";
import { memoryEngine } from "../engine/fakeWorld.js";

/**
 * The serverless path in this process: an in-memory engine, a completion pump and one real
 * worker on the default queue. `stop` stops the worker, then the pump.
 */
export async function workerWorld(
  worker: Partial<Omit<StartWorkerOptions, "storage" | "prefix" | "queue">> = {},
) {
  const { engine, storage } = await memoryEngine({ coordinator: { lingerMs: 20 } });
  const pump = pumpCompletions(engine);
  const running = startWorker({
    storage,
    prefix: engine.names.prefix,
    queue: "default",
    pollMaxMs: 50,
    shutdownGraceMs: 1000,
    ...worker,
  });
  return {
    engine,
    storage,
    async stop() {
      await running.stop();
      await pump.stop();
    },
  };
}

/**
 * A bare completion-queue consumer for worker tests (the local host's queue trigger does this
 * with the full Functions semantics): receive, ingest, delete, until stopped.
 */
export function pumpCompletions(engine: Engine): { stop(): Promise<void> } {
  let stopped = false;
  const q = engine.names.completionQueue;
  const loop = (async () => {
    while (!stopped) {
      const msgs = await engine.storage.queues.receive(q, 32, 30);
      await Promise.all(
        msgs.map(async (m) => {
          await ingestCompletionMessage(engine, m.text);
          await engine.storage.queues.delete(q, m);
        }),
      );
      if (msgs.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await engine.coordinator.flush();
    },
  };
}

export async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
