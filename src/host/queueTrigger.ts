import type { StorageQueueHandler } from "@azure/functions";
import { silentTelemetry, type Telemetry } from "../observability/telemetry.js";
import { decodeQueuePayload } from "../protocol/queuePayload.js";
import { poisonQueueOf } from "../storage/layout.js";
import type { QueueMessage, QueueStore } from "../storage/ports.js";
import { withFunctionTimeout } from "./functionTimeout.js";
import type { QueueSettings } from "./hostJson.js";
import { type HostLog, invocationContext } from "./invocationContext.js";

export interface QueueTriggerOptions {
  readonly name: string;
  readonly queue: string;
  readonly queues: QueueStore;
  readonly settings: QueueSettings;
  /** host.json's functionTimeout: an invocation running longer is abandoned and fails. */
  readonly functionTimeoutMs: number;
  /**
   * How long a received message stays hidden, renewed at half of it while its handler runs.
   * Azure's 10 minutes by default; tests shorten it.
   */
  readonly holdMs?: number;
  readonly handler: StorageQueueHandler;
  readonly log: HostLog;
  readonly stats?: Telemetry;
}

/** The first wait after an empty poll; it doubles up to maxPollingInterval. */
export const MIN_POLL_MS = 100;
const MAX_VISIBILITY_S = 7 * 24 * 3600;
/**
 * The Functions host's queue listener receives messages with a 10-minute visibility timeout
 * and renews it at half that while the function runs. A message held by an instance that dies
 * therefore comes back 5 to 10 minutes later (the rest of its last renewal), never sooner.
 */
export const DEFAULT_HOLD_MS = 10 * 60_000;

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
 * Received messages stay hidden for 10 minutes, renewed at half of that while their handler
 * runs, as the Functions host holds them; an invocation past functionTimeout is abandoned and
 * counts as a failure (src/host/functionTimeout.ts).
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

  /** How long a received message stays hidden at a time, in whole seconds. */
  private holdS(): number {
    const ms = this.opts.holdMs ?? DEFAULT_HOLD_MS;
    return Math.min(MAX_VISIBILITY_S, Math.max(1, Math.ceil(ms / 1000)));
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
      (holdS * 1000) / 2,
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
        await withFunctionTimeout(
          async () => handler(payload(msg.text, settings.messageEncoding), context),
          { name, timeoutMs: this.opts.functionTimeoutMs, log },
        );
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
