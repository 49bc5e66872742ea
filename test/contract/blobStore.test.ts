import { BlobServiceClient } from "@azure/storage-blob";
import { AzureBlobStore } from "../../src/azure/blobStore.js";
import { MemoryBlobStore } from "../../src/memory/memoryBlobStore.js";
import { azuriteConnectionString } from "../support/azurite.js";
import { uniqueName } from "../support/names.js";
import { describeBlobStoreContract } from "./blobStore.contract.js";

describeBlobStoreContract("memory", () => {
  let now = Date.parse("2030-01-01T00:00:00Z");
  return {
    store: new MemoryBlobStore(() => now),
    advance: (ms) => {
      now += ms;
    },
  };
});

describeBlobStoreContract("azure (Azurite)", (testName) => {
  const service = BlobServiceClient.fromConnectionString(azuriteConnectionString());
  return { store: new AzureBlobStore(service.getContainerClient(uniqueName(`blob ${testName}`))) };
});
