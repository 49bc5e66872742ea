import {
  type AzureMonitorExporterOptions,
  AzureMonitorMetricExporter,
} from "@azure/monitor-opentelemetry-exporter";
import type { TokenCredential } from "@azure/service-bus";
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from "@opentelemetry/sdk-metrics";
import type { Config } from "../config.js";
import { OtelTelemetry, TeeTelemetry } from "./otelTelemetry.js";
import { StatsTelemetry, type Telemetry } from "./telemetry.js";

/** How often the metrics are sent; Application Insights aggregates per minute anyway. */
const EXPORT_INTERVAL_MS = 60_000;

export interface TelemetryOptions {
  /**
   * Entra ID credential for Application Insights: the template disables local (key) auth on
   * the component, so without it every export is refused and retried from disk forever.
   */
  readonly credential?: TokenCredential;
  /** Builds the exporter; tests pass their own to see the options. */
  readonly exporter?: (options: AzureMonitorExporterOptions) => PushMetricExporter;
}

export interface ProcessTelemetry {
  readonly stats: StatsTelemetry;
  readonly telemetry: Telemetry;
  /** Sends what is buffered and stops exporting (app shutdown); a no-op when nothing exports. */
  shutdown(): Promise<void>;
}

/**
 * The engine's telemetry for a process: local totals always (the local host prints them once
 * in a while; tests read them), and, when APPLICATIONINSIGHTS_CONNECTION_STRING is set, the
 * same signals as OpenTelemetry metrics exported to Azure Monitor. Without the setting nothing
 * is started and nothing is sent anywhere.
 *
 * Only dagq's own metrics are exported, through the Azure Monitor exporter and a meter provider
 * of our own, not the `@azure/monitor-opentelemetry` distro: the Functions host already reports
 * every invocation, request and dependency call, so the distro's HTTP and Azure SDK
 * instrumentations would report each one a second time, and its ~200 MB of instrumentations
 * (mongodb, mysql, pg, redis, ...) would weigh on the deployment package and its cold start.
 */
export function telemetryFromConfig(
  config: Config,
  sink: Telemetry["log"],
  opts: TelemetryOptions = {},
): ProcessTelemetry {
  const stats = new StatsTelemetry(sink);
  const connectionString = config.APPLICATIONINSIGHTS_CONNECTION_STRING;
  if (!connectionString) return { stats, telemetry: stats, shutdown: async () => {} };
  const makeExporter = opts.exporter ?? ((o) => new AzureMonitorMetricExporter(o));
  const exporter = makeExporter({
    connectionString,
    ...(opts.credential ? { credential: opts.credential } : {}),
  });
  // A provider of our own, not the global one: nothing else in the process reports through it.
  const provider = new MeterProvider({
    readers: [
      new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: EXPORT_INTERVAL_MS }),
    ],
  });
  return {
    stats,
    telemetry: new TeeTelemetry(stats, new OtelTelemetry(provider.getMeter("dagq"))),
    shutdown: () => provider.shutdown(),
  };
}
