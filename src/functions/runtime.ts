import type { ConnectedStorage } from "../azure/connect.js";
import { connectFromConfig, identityCredential } from "../azure/connectFromConfig.js";
import type { Config } from "../config.js";
import { createEngine, type Engine, type EngineOptions, provision } from "../engine/context.js";
import { StatsTelemetry, type Telemetry } from "../observability/telemetry.js";
import { telemetryFromConfig } from "../observability/telemetryFromConfig.js";
import { type Layout, layout } from "../storage/layout.js";
import type { Storage } from "../storage/ports.js";

// Where they lived before, for the callers that import them from here.
export { connectFromConfig, identityCredential };

/**
 * What every function handler shares within one process: the settings, the storage names, and
 * the engine. The engine (with its storage clients and coordinator) is built on first use, not
 * at import: the Functions host loads the entry point to index the functions, and a handler
 * that never runs should not open connections. Handlers take a Runtime as an argument, so tests
 * and the local host inject their own engine and several can live in one process.
 */
export interface Runtime {
  readonly settings: Config;
  readonly names: Layout;
  /** The provisioned engine, built once; a failed build is retried on the next call. */
  engine(): Promise<Engine>;
  /** Finishes the coordinator's queued work and lets its leases go (graceful shutdown). */
  close(): Promise<void>;
}

export function engineOptions(config: Config, telemetry: Telemetry): EngineOptions {
  return {
    prefix: config.DAGQ_PREFIX,
    maxRunningWorkflows: config.DAGQ_MAX_RUNNING_WORKFLOWS,
    maxQueueDepth: config.DAGQ_MAX_QUEUE_DEPTH,
    maxPackTasks: config.DAGQ_PACK_TASKS,
    sweepConcurrency: config.DAGQ_SWEEP_CONCURRENCY,
    serviceBusNamespaces: config.DAGQ_SERVICEBUS_NAMESPACES,
    coordinator: {
      leaseS: config.DAGQ_LEASE_SECONDS,
      maxInFlight: config.DAGQ_MAX_IN_FLIGHT,
      repairAfterMs: config.DAGQ_READY_REPAIR_AFTER_S * 1000,
    },
    telemetry,
  };
}

/**
 * The Function App's runtime: storage from the app settings, engine warnings to the console,
 * metrics to Application Insights with the same identity as storage (one token cache).
 */
export function createRuntime(config: Config): Runtime {
  const credential = identityCredential(config);
  let storage: ConnectedStorage | null = null;
  const telemetry = telemetryFromConfig(config, consoleSink, credential ? { credential } : {});
  const runtime = runtimeOver(
    () => {
      storage ??= connectFromConfig(config, credential);
      return storage;
    },
    config,
    telemetry.telemetry,
  );

  return {
    ...runtime,
    async close() {
      await runtime.close();
      await storage?.close();
      await telemetry.shutdown();
    },
  };
}

/** A runtime over a given storage (the local host, tests), engine built on first use. */
export function runtimeOver(
  storage: () => Storage,
  config: Config,
  telemetry: Telemetry = new StatsTelemetry(),
): Runtime {
  return lazyRuntime(config, () => createEngine(storage(), engineOptions(config, telemetry)));
}

/** A runtime over an engine that already exists; it is provisioned on first use. */
export function runtimeFor(engine: Engine, config: Config): Runtime {
  return lazyRuntime(config, () => engine);
}

function lazyRuntime(config: Config, build: () => Engine): Runtime {
  let ready: Promise<Engine> | null = null;
  let built: Engine | null = null;
  return {
    settings: config,
    names: layout(config.DAGQ_PREFIX),
    engine() {
      ready ??= (async () => {
        built ??= build();
        await provision(built);
        return built;
      })().catch((e: unknown) => {
        ready = null;
        throw e;
      });
      return ready;
    },
    async close() {
      await built?.coordinator.flush();
    },
  };
}

/**
 * The engine's log records as one JSON line each, which the Functions host forwards to
 * Application Insights as traces at the matching level (console.info/warn/error), queryable by
 * field. The engine is shared by all invocations of an instance, so it has no single
 * invocation context to log through; handlers log their own lines through theirs.
 */
function consoleSink(
  level: "debug" | "info" | "warn" | "error",
  message: string,
  attrs?: Record<string, unknown>,
): void {
  if (level === "debug") return;
  const line = JSON.stringify({ source: "dagq", level, message, ...(attrs ? { attrs } : {}) });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.info(line);
}
