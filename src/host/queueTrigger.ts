import type { StorageQueueHandler } from "@azure/functions";
import { silentTelemetry, type Telemetry } from "../observability/telemetry.js";
import { decodeQueuePayload } from "../protocol/queuePayload.js";
import { poisonQueueOf } from "../storage/layout.js";
import type { QueueMessage, QueueStore } from "../storage/ports.js";
import type { QueueSettings } from "./hostJson.js";
import { type HostLog, invocationContext } from "./invocationContext.js";

export interface QueueTriggerOptions {
  readonly name: string;
  readonly queue: string;
  readonly queues: QueueStore;
  readonly settings: QueueSettings;
  /** How long a received message stays hidden while its handler runs: the function timeout. */
  readonly processingMs: number;
  readonly handler: StorageQueueHandler;
  readonly log: HostLog;
  readonly stats?: Telemetry;
}

/** The first wait after an empty poll; it doubles up to maxPollingInterval. */
export const MIN_POLL_MS = 100;
const MAX_VISIBILITY_S = 7 * 24 * 3600;
/** A received message's hold, renewed every third of it while its handler runs. */
const HOLD_S = 30;

/**
 * A storage-queue trigger with the Functions host's semantics:
 * - polls; on an empty queue (or a failed receive) waits 100 ms, doubling up to
 *   maxPollingInterval; after a non-empty receive polls again at once;
 * - receives batchSize messages and runs the handler for each concurrently; fetches the next
 *   batch only while no more than newBatchThreshold are still running;
 * - deletes a message when its handler succeeds; when it throws, makes it visible again after
 *   visibilityTimeout, or, once its dequeueCount reached maxDequeueCount, moves it to
 *   `<queue>-poison` (a message that arrives with a count already above the limit, because a
 *   host died while running it, goes there without running).
 * Received messages stay hidden in spans of 30 s, renewed while their handler runs (as the
 * Functions host renews them), so a message of a host that died comes back within one span.
 */
export class QueueTrigger {
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly opts: QueueTriggerOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops polling and waits for the running handlers; unstarted messages stay in the queue. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    await Promise.all(this.inFlight);
  }

  private async run(): Promise<void> {
    const { queue, queues, settings, log } = this.opts;
    const stats = this.opts.stats ?? silentTelemetry;
    const visibilityS = this.holdS();
    let delay = MIN_POLL_MS;
    while (!this.stopping) {
      if (this.inFlight.size > settings.newBatchThreshold) {
        await this.pause(Number.POSITIVE_INFINITY);
        continue;
      }
      let batch: QueueMessage[];
      try {
        batch = await queues.receive(queue, settings.batchSize, visibilityS);
      } catch (e) {
        stats.count("host.queue.receive_errors");
        log("warn", `[${this.opts.name}] receiving from ${queue} failed, retrying: ${String(e)}`);
        batch = [];
      }
      if (batch.length === 0) {
        await this.pause(delay);
        delay = Math.min(delay * 2, Math.max(MIN_POLL_MS, settings.maxPollingIntervalMs));
        continue;
      }
      delay = MIN_POLL_MS;
      stats.count("host.queue.received", batch.length);
      for (const msg of batch) {
        const running: Promise<void> = this.process(msg).finally(() => {
          this.inFlight.delete(running);
          this.wake?.();
        });
        this.inFlight.add(running);
      }
    }
  }

  /** Waits `ms`, or until a handler finishes or stop() is called. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      this.wake = done;
      if (this.stopping) done();
    });
  }

  /**
   * How long a received message stays hidden at a time. Like the Functions host, we hold it in
   * short spans renewed while the handler runs, rather than for the whole function timeout: a
   * host that dies mid-message then gives it back within one span, not ten minutes later.
   */
  private holdS(): number {
    return Math.min(
      MAX_VISIBILITY_S,
      HOLD_S,
      Math.max(1, Math.ceil(this.opts.processingMs / 1000)),
    );
  }

  private async process(received: QueueMessage): Promise<void> {
    const { name, queue, queues, settings, log, handler } = this.opts;
    const stats = this.opts.stats ?? silentTelemetry;
    let msg = received;
    const holdS = this.holdS();
    let renewing: Promise<void> = Promise.resolve();
    const renew = setInterval(
      () => {
        renewing = queues.release(queue, msg, holdS).then(
          (renewed) => {
            if (renewed) msg = renewed;
          },
          () => {},
        );
      },
      (holdS * 1000) / 3,
    );
    // Settling needs the latest pop receipt: stop renewing, and wait for a renewal in flight.
    const settle = async () => {
      clearInterval(renew);
      await renewing;
    };
    try {
      if (msg.dequeueCount > settings.maxDequeueCount) {
        await this.poison(msg, `dequeue count ${msg.dequeueCount} is over the limit`);
        return;
      }
      const context = invocationContext(name, log, {
        id: msg.id,
        dequeueCount: msg.dequeueCount,
        insertionTime: new Date(msg.insertedOn).toISOString(),
        queueTrigger: msg.text,
      });
      try {
        await handler(payload(msg.text, settings.messageEncoding), context);
        await settle();
      } catch (e) {
        await settle();

        stats.count("host.queue.failures");
        log(
          "warn",
          `[${name}] message ${msg.id} failed (attempt ${msg.dequeueCount}): ${String(e)}`,
        );
        if (msg.dequeueCount >= settings.maxDequeueCount) {
          await this.poison(msg, `failed ${msg.dequeueCount} times`);
        } else {
          await queues.release(queue, msg, Math.ceil(settings.visibilityTimeoutMs / 1000));
        }
        return;
      }
      await queues.delete(queue, msg);
    } catch (e) {
      // Deleting, releasing or poisoning failed: the message reappears when its visibility
      // lapses and runs again, which every handler here tolerates.
      log("warn", `[${name}] message ${msg.id}: settling it failed: ${String(e)}`);
    } finally {
      clearInterval(renew);
    }
  }

  /** Copies the message, as it was sent, to `<queue>-poison`, then deletes the original. */
  private async poison(msg: QueueMessage, why: string): Promise<void> {
    const { name, queue, queues, log } = this.opts;
    const target = poisonQueueOf(queue);
    await queues.ensure(target);
    await queues.send(target, msg.text);
    await queues.delete(queue, msg);
    (this.opts.stats ?? silentTelemetry).count("host.queue.poisoned");
    log("error", `[${name}] message ${msg.id} moved to ${target}: ${why}`);
  }
}

/** The trigger's input: JSON is handed over parsed, as the Node worker does; else the text. */
function payload(text: string, encoding: QueueSettings["messageEncoding"]): unknown {
  const decoded = encoding === "base64" ? Buffer.from(text, "base64").toString("utf8") : text;
  const p = decodeQueuePayload(decoded);
  return p.json ? p.value : p.text;
}
