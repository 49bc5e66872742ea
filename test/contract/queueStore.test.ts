import { QueueServiceClient } from "@azure/storage-queue";
import { AzureQueueStore } from "../../src/azure/queueStore.js";
import { MemoryQueueStore } from "../../src/memory/memoryQueueStore.js";
import { azuriteConnectionString } from "../support/azurite.js";
import { describeQueueStoreContract } from "./queueStore.contract.js";

describeQueueStoreContract("memory", () => {
  let now = Date.parse("2030-01-01T00:00:00Z");
  return {
    store: new MemoryQueueStore(() => now),
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
});

describeQueueStoreContract("azure (Azurite)", () => ({
  store: new AzureQueueStore(QueueServiceClient.fromConnectionString(azuriteConnectionString())),
  now: Date.now,
}));
