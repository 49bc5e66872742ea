import type { ConnectedStorage } from "../azure/connect.js";
import type { Config } from "../config.js";
import type { Engine } from "../engine/context.js";
import {
  byTrigger,
  type FunctionDefinition,
  functionTable,
  type HttpFunction,
} from "../functions/registry.js";
import { connectFromConfig, type Runtime, runtimeFor, runtimeOver } from "../functions/runtime.js";
import { StatsTelemetry } from "../observability/telemetry.js";
import type { Storage } from "../storage/ports.js";
import type { HostKeys } from "./functionKeys.js";
import { type HostSettings, readHostJson } from "./hostJson.js";
import { startHttpServer } from "./httpServer.js";
import type { HostLog } from "./invocationContext.js";
import { QueueTrigger } from "./queueTrigger.js";
import { startStatsReporter } from "./statsReporter.js";
import { TimerTrigger } from "./timerTrigger.js";

export interface LocalHostOptions {
  /** The app settings, as readConfig() returns them. */
  readonly config: Config;
  /** The engine to drive; otherwise one is built over `storage`. */
  readonly engine?: Engine;
  /** Otherwise the storage the settings name (DagqStorage), closed again by stop(). */
  readonly storage?: Storage;
  /** host.json's settings, or the path of a host.json. */
  readonly hostJson: HostSettings | string;
  readonly keys: HostKeys;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly log?: HostLog;
  /** The one-line stats summary's interval; 0 turns it off. */
  readonly statsEveryMs?: number;
  /**
   * How long a received queue message stays hidden (renewed at half while its handler runs):
   * Azure's 10 minutes unless a test shortens it, so a dead host's messages return sooner.
   */
  readonly queueHoldMs?: number;
  /** The functions to host: the app's table unless a test brings its own. */
  readonly functions?: (rt: Runtime) => readonly FunctionDefinition[];
}

export interface LocalHost {
  /** Where the functions answer, without the route prefix: `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly runtime: Runtime;
  /** The host's own counters (queue, timer, http); the engine's are in its telemetry. */
  readonly stats: StatsTelemetry;
  /** Stops polling, timers and HTTP, waits for running handlers, flushes the coordinator. */
  stop(): Promise<void>;
}

/**
 * Runs the app's functions in this process without the Functions host (`func`): the same
 * table `index.ts` registers, with the trigger semantics of host.json.
 */
export async function startLocalHost(opts: LocalHostOptions): Promise<LocalHost> {
  const log = opts.log ?? (() => {});
  const settings =
    typeof opts.hostJson === "string" ? await readHostJson(opts.hostJson) : opts.hostJson;
  const engineStats = new StatsTelemetry(log);
  let owned: ConnectedStorage | null = null;
  const storage = () => {
    if (opts.storage) return opts.storage;
    owned ??= connectFromConfig(opts.config);
    return owned;
  };
  const runtime = opts.engine
    ? runtimeFor(opts.engine, opts.config)
    : runtimeOver(storage, opts.config, engineStats);
  const engine = await runtime.engine();
  const hostStats = new StatsTelemetry(log);
  const definitions = (opts.functions ?? functionTable)(runtime);

  const queueTriggers: QueueTrigger[] = [];
  const timers: TimerTrigger[] = [];
  const httpFunctions: HttpFunction[] = [];
  for (const definition of definitions) {
    byTrigger(definition, {
      queue: (fn) =>
        queueTriggers.push(
          new QueueTrigger({
            name: fn.name,
            queue: fn.trigger.queue,
            queues: engine.storage.queues,
            settings: settings.queues,
            functionTimeoutMs: settings.functionTimeoutMs,
            ...(opts.queueHoldMs !== undefined ? { holdMs: opts.queueHoldMs } : {}),
            handler: fn.handler,
            log,
            stats: hostStats,
          }),
        ),
      timer: (fn) =>
        timers.push(
          new TimerTrigger({
            name: fn.name,
            schedule: fn.trigger.schedule,
            handler: fn.handler,
            functionTimeoutMs: settings.functionTimeoutMs,
            log,
            stats: hostStats,
          }),
        ),
      http: (fn) => httpFunctions.push(fn),
    });
  }
  const http = await startHttpServer({
    functions: httpFunctions,
    routePrefix: settings.routePrefix,
    keys: opts.keys,
    maxRequestBytes: opts.config.DAGQ_MAX_REQUEST_BYTES,
    functionTimeoutMs: settings.functionTimeoutMs,
    port: opts.port ?? 0,
    log,
    stats: hostStats,
  });
  for (const t of queueTriggers) t.start();
  for (const t of timers) t.start();
  const statsEveryMs = opts.statsEveryMs ?? 10_000;
  const sources = [
    hostStats,
    ...(engine.telemetry instanceof StatsTelemetry ? [engine.telemetry] : []),
  ];
  const reporter =
    statsEveryMs > 0 ? startStatsReporter({ sources, everyMs: statsEveryMs, log }) : null;
  log(
    "info",
    `local host: ${definitions.length} functions, http at ${http.url}/${settings.routePrefix}`,
  );

  let stopping: Promise<void> | null = null;
  return {
    url: http.url,
    runtime,
    stats: hostStats,
    stop() {
      stopping ??= (async () => {
        await Promise.all([
          ...queueTriggers.map((t) => t.stop()),
          ...timers.map((t) => t.stop()),
          http.stop(),
        ]);
        await runtime.close();
        reporter?.stop();
        await owned?.close();
        log("info", "local host: stopped");
      })();
      return stopping;
    },
  };
}
