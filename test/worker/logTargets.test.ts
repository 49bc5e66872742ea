import { BlobServiceClient } from "@azure/storage-blob";
import { describe, expect, it } from "vitest";
import { AzureBlobStore } from "../../src/azure/blobStore.js";
import { MemoryBlobStore } from "../../src/memory/memoryBlobStore.js";
import type { BlobStore } from "../../src/storage/ports.js";
import { blobLogTarget } from "../../src/worker/logTargets.js";
import { azuriteConnectionString } from "../support/azurite.js";
import { uniqueName } from "../support/names.js";

const stores: Array<[string, () => Promise<BlobStore>]> = [
  [
    "memory",
    async () => {
      const store = new MemoryBlobStore();
      await store.ensure();
      return store;
    },
  ],
  [
    "Azurite",
    async () => {
      const service = BlobServiceClient.fromConnectionString(azuriteConnectionString());
      const store = new AzureBlobStore(service.getContainerClient(uniqueName("log target")));
      await store.ensure();
      return store;
    },
  ],
];

const text = async (store: BlobStore, path: string) =>
  Buffer.from((await store.read(path))?.data ?? []).toString("utf8");

for (const [name, make] of stores) {
  describe(`a log's append blob on ${name}`, () => {
    it("is created by the first append and grows in order", async () => {
      const store = await make();
      const target = blobLogTarget(store, "wf/w1/logs/a/1.log");
      expect(await store.read("wf/w1/logs/a/1.log")).toBeNull();
      await target.append(Buffer.from("one\n"));
      await target.append(Buffer.from("two\n"));
      expect(await text(store, "wf/w1/logs/a/1.log")).toBe("one\ntwo\n");
    });

    it("a second run of the same attempt (its worker died) appends after the first run's lines", async () => {
      const store = await make();
      const first = blobLogTarget(store, "wf/w1/logs/a/1.log");
      await first.append(Buffer.from("run 1\n"));
      const second = blobLogTarget(store, "wf/w1/logs/a/1.log");
      await second.append(Buffer.from("run 2\n"));
      // Interleaved writers: each re-reads the ETag on a conflict instead of failing.
      await first.append(Buffer.from("run 1 again\n"));
      expect(await text(store, "wf/w1/logs/a/1.log")).toBe("run 1\nrun 2\nrun 1 again\n");
    });
  });
}
