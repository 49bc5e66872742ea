import { createRequire } from "node:module";
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

/**
 * Azurite before 3.37 creates a blob on a Put Blob carrying a lease id and If-Match "*" when the
 * blob does not exist; Azure refuses it (412), and so does Azurite 3.37. 3.37 declares Node >= 22,
 * though, and npm warns (EBADENGINE) on every install on Node 20, so the project stays on 3.35
 * until it moves to Node 22; the case runs on Azurite again as soon as the version allows.
 */
const azuriteVersion = (
  createRequire(import.meta.url)("azurite/package.json") as { version: string }
).version;
const [major = 0, minor = 0] = azuriteVersion.split(".").map(Number);
const resurrects = major === 3 && minor < 37;

describeBlobStoreContract("azure (Azurite)", (testName) => {
  const service = BlobServiceClient.fromConnectionString(azuriteConnectionString());
  return {
    store: new AzureBlobStore(service.getContainerClient(uniqueName(`blob ${testName}`))),
    ...(resurrects
      ? {
          leasedWriteResurrects: `Azurite ${azuriteVersion} creates the blob where Azure refuses the lease id (412)`,
        }
      : {}),
  };
});
