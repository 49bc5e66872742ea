import { silentTelemetry, type Telemetry } from "../observability/telemetry.js";
import { layout } from "../storage/layout.js";
import type { Storage } from "../storage/ports.js";
import { isServiceBusTarget } from "../storage/serviceBusTarget.js";
import { StorageQueueSource, type TaskSource } from "./taskSource.js";
import { DEFAULT_WORKER_OPTIONS, Worker, type WorkerOptions } from "./worker.js";

export interface StartWorkerOptions extends Partial<WorkerOptions> {
  readonly storage: Storage;
  readonly prefix: string;
  /** A logical queue name (`default`, `gpu`), or an `sb://namespace/queue` target. */
  readonly queue: string;
  readonly telemetry?: Telemetry;
  /** For `sb://` queues: builds the Service Bus source (kept out of here so tests need no SDK). */
  readonly serviceBusSource?: (target: string) => TaskSource;
}

export interface RunningWorker {
  readonly worker: Worker;
  /** Stops taking tasks, lets running ones finish (up to the grace period), then returns. */
  stop(): Promise<void>;
  readonly done: Promise<void>;
}

/** Starts a worker on one queue of a deployment; used by `dagq worker`, `dagq dev` and tests. */
export function startWorker(opts: StartWorkerOptions): RunningWorker {
  const names = layout(opts.prefix);
  const target = names.taskQueue(opts.queue);
  const source = isServiceBusTarget(target)
    ? (opts.serviceBusSource ?? noServiceBus)(target)
    : new StorageQueueSource(opts.storage.queues, target);
  const worker = new Worker(
    {
      source,
      queues: opts.storage.queues,
      blobs: opts.storage.blobs,
      names,
      telemetry: opts.telemetry ?? silentTelemetry,
    },
    { ...DEFAULT_WORKER_OPTIONS, ...withoutUndefined(opts) },
  );
  const abort = new AbortController();
  const done = worker.run(abort.signal);
  return {
    worker,
    done,
    async stop() {
      abort.abort();
      await done;
    },
  };
}

function noServiceBus(target: string): TaskSource {
  throw new Error(`${target}: no Service Bus source configured`);
}

function withoutUndefined(opts: StartWorkerOptions): Partial<WorkerOptions> {
  const keys = [
    "concurrency",
    "visibilityS",
    "inlineOutputBytes",
    "pollMaxMs",
    "signalPollMs",
    "shutdownGraceMs",
    "id",
    "passEnv",
    "logs",
  ] as const;
  return Object.fromEntries(
    keys.filter((k) => opts[k] !== undefined).map((k) => [k, opts[k]]),
  ) as Partial<WorkerOptions>;
}
