/**
 * QueueStore over Azure Storage queues. Messages are plain UTF-8 text, not base64: the
 * Functions host is configured with `messageEncoding: none`, so what we send is what a queue
 * trigger receives.
 */
import type { QueueClient, QueueServiceClient } from "@azure/storage-queue";
import type { QueueMessage, QueueStore, SendOptions } from "../storage/ports.js";
import { storageFailure } from "./storageError.js";

/** A message that never expires: the default of 7 days would silently drop old backlog. */
const NO_EXPIRY = -1;

export class AzureQueueStore implements QueueStore {
  private readonly clients = new Map<string, QueueClient>();

  constructor(private readonly service: QueueServiceClient) {}

  private client(queue: string): QueueClient {
    let client = this.clients.get(queue);
    if (!client) {
      client = this.service.getQueueClient(queue);
      this.clients.set(queue, client);
    }
    return client;
  }

  async ensure(queue: string): Promise<void> {
    await this.client(queue).createIfNotExists();
  }

  async send(queue: string, text: string, opts: SendOptions = {}): Promise<void> {
    await this.client(queue).sendMessage(text, {
      visibilityTimeout: opts.delayS ?? 0,
      messageTimeToLive: NO_EXPIRY,
    });
  }

  async receive(queue: string, max: number, visibilityS: number): Promise<QueueMessage[]> {
    const res = await this.client(queue).receiveMessages({
      numberOfMessages: max,
      visibilityTimeout: visibilityS,
    });
    return res.receivedMessageItems.map((m) => ({
      id: m.messageId,
      popReceipt: m.popReceipt,
      text: m.messageText,
      dequeueCount: m.dequeueCount,
      insertedOn: m.insertedOn.getTime(),
    }));
  }

  async delete(queue: string, msg: QueueMessage): Promise<boolean> {
    try {
      await this.client(queue).deleteMessage(msg.id, msg.popReceipt);
      return true;
    } catch (err) {
      // 404 MessageNotFound: gone. 400 PopReceiptMismatch: received again by someone else.
      if (isStaleReceipt(err)) return false;
      throw err;
    }
  }

  async release(
    queue: string,
    msg: QueueMessage,
    visibilityS: number,
  ): Promise<QueueMessage | null> {
    try {
      const r = await this.client(queue).updateMessage(
        msg.id,
        msg.popReceipt,
        undefined,
        visibilityS,
      );
      return r.popReceipt ? { ...msg, popReceipt: r.popReceipt } : null;
    } catch (err) {
      // The message is gone or someone else holds it now: nothing of ours to release.
      if (isStaleReceipt(err)) return null;
      throw err;
    }
  }

  async depth(queue: string): Promise<number> {
    const props = await this.client(queue).getProperties();
    return props.approximateMessagesCount ?? 0;
  }

  async clear(queue: string): Promise<void> {
    await this.client(queue).clearMessages();
  }

  async list(prefix: string): Promise<string[]> {
    const names: string[] = [];
    for await (const item of this.service.listQueues({ prefix })) names.push(item.name);
    return names;
  }
}

function isStaleReceipt(err: unknown): boolean {
  const { status, code } = storageFailure(err);
  return (status === 404 && code !== "QueueNotFound") || code === "PopReceiptMismatch";
}
