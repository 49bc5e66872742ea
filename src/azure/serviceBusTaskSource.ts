/**
 * Task messages from a Service Bus queue (`sb://<namespace>/<queue>`), for `dagq worker`, over
 * the real @azure/service-bus SDK in peek-lock mode: the lock plays the part of a storage
 * message's invisibility (renewed while the task runs), completing the message deletes it, and
 * abandoning it hands it to another worker. Service Bus dead-letters a message after its
 * queue's max delivery count, the counterpart of the storage poison queue.
 *
 * UNTESTED against a live namespace: no Service Bus emulator is reachable from this machine.
 */
import {
  ServiceBusClient,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
  type TokenCredential,
} from "@azure/service-bus";
import { parseServiceBusTarget } from "../storage/serviceBusTarget.js";
import type { Delivery, TaskSource } from "../worker/taskSource.js";

export class ServiceBusTaskSource implements TaskSource {
  private readonly client: ServiceBusClient;
  private readonly receiver: ServiceBusReceiver;

  constructor(
    readonly name: string,
    credential: TokenCredential,
  ) {
    const { namespace, queue } = parseServiceBusTarget(name);
    this.client = new ServiceBusClient(namespace, credential);
    this.receiver = this.client.createReceiver(queue, { receiveMode: "peekLock" });
  }

  async receive(max: number): Promise<Delivery[]> {
    const msgs = await this.receiver.receiveMessages(max, { maxWaitTimeInMs: 1000 });
    return msgs.map((m) => this.delivery(m));
  }

  async close(): Promise<void> {
    await this.receiver.close();
    await this.client.close();
  }

  private delivery(m: ServiceBusReceivedMessage): Delivery {
    const receiver = this.receiver;
    return {
      text: typeof m.body === "string" ? m.body : JSON.stringify(m.body),
      dequeueCount: m.deliveryCount ?? 1,
      // The lock duration is the queue's setting; renewing restarts it whatever we ask for.
      extend: async () => void (await receiver.renewMessageLock(m)),
      complete: () => receiver.completeMessage(m),
      abandon: () => receiver.abandonMessage(m),
      poison: (reason) =>
        receiver.deadLetterMessage(m, {
          deadLetterReason: "malformed task message",
          deadLetterErrorDescription: reason.slice(0, 1024),
        }),
    };
  }
}
