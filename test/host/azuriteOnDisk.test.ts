import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { QueueServiceClient } from "@azure/storage-queue";
import { afterEach, describe, expect, it } from "vitest";
import { type Azurite, startAzurite } from "../../src/azure/azurite.js";

let azurite: Azurite | undefined;
let folder: string | undefined;
afterEach(async () => {
  await azurite?.stop();
  azurite = undefined;
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe("Azurite on disk", () => {
  it("keeps what it acknowledged across a stop and a start on the same ports and folder", async () => {
    folder = await mkdtemp(join(tmpdir(), "dagq-azurite-disk-"));
    azurite = await startAzurite({ location: folder });
    const ports = { blob: azurite.blobPort, queue: azurite.queuePort, table: azurite.tablePort };
    const cs = azurite.connectionString;
    // Written just before the stop: Azurite saves its metadata every 5 s, so only a stop that
    // lets it save keeps these.
    const container = BlobServiceClient.fromConnectionString(cs).getContainerClient("kept");
    await container.create();
    await container.getBlockBlobClient("b").upload("hello", 5);
    const queue = QueueServiceClient.fromConnectionString(cs).getQueueClient("kept");
    await queue.create();
    await queue.sendMessage("m1");
    await azurite.stop();

    azurite = await startAzurite({ location: folder, ports });
    expect(azurite.connectionString).toBe(cs);
    const body = await container.getBlockBlobClient("b").downloadToBuffer();
    expect(body.toString()).toBe("hello");
    const peeked = await queue.peekMessages({ numberOfMessages: 1 });
    expect(peeked.peekedMessageItems.map((m) => m.messageText)).toEqual(["m1"]);
  }, 60_000);

  it("without a folder, keeps its data in a temporary one that stop() removes", async () => {
    azurite = await startAzurite();
    const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(
      "temporary",
    );
    await queue.create();
    await queue.sendMessage("m1");
    // Messages in extent files on disk, not one in-memory extent each (see src/azure/azurite.ts).
    expect(await readdir(azurite.location)).toContain("__queuestorage__");
    expect((await readdir(join(azurite.location, "__queuestorage__"))).length).toBeGreaterThan(0);
    await azurite.stop();
    expect(existsSync(azurite.location)).toBe(false);
    azurite = undefined;
  });
});
