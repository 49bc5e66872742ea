/**
 * An Azurite for a host test file: the run's shared one when the vitest config wires
 * test/support/globalSetup.ts, otherwise one of its own, stopped by the returned function.
 */
import { QueueServiceClient } from "@azure/storage-queue";
import { inject } from "vitest";
import { startAzurite } from "../../src/azure/azurite.js";
import { AzureQueueStore } from "../../src/azure/queueStore.js";
import type { QueueStore } from "../../src/storage/ports.js";

export interface TestAzurite {
  readonly connectionString: string;
  stop(): Promise<void>;
}

export async function useAzurite(): Promise<TestAzurite> {
  const shared = inject("azuriteConnectionString");
  if (shared) return { connectionString: shared, stop: async () => {} };
  return startAzurite();
}

export function queueStore(connectionString: string): AzureQueueStore {
  return new AzureQueueStore(QueueServiceClient.fromConnectionString(connectionString));
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** `inner` with some operations replaced: to count polls or inject failures. */
export function wrapQueues(inner: QueueStore, over: Partial<QueueStore>): QueueStore {
  return {
    ensure: (q) => inner.ensure(q),
    send: (q, text, o) => inner.send(q, text, o),
    receive: (q, max, v) => inner.receive(q, max, v),
    delete: (q, m) => inner.delete(q, m),
    release: (q, m, v) => inner.release(q, m, v),
    depth: (q) => inner.depth(q),
    clear: (q) => inner.clear(q),
    list: (p) => inner.list(p),
    ...over,
  };
}
