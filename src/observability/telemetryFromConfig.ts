import { useAzureMonitor } from "@azure/monitor-opentelemetry";
import { metrics } from "@opentelemetry/api";
import type { Config } from "../config.js";
import { OtelTelemetry, TeeTelemetry } from "./otelTelemetry.js";
import { StatsTelemetry, type Telemetry } from "./telemetry.js";

let monitorStarted = false;

/**
 * The engine's telemetry for a process: local totals always (the local host prints them once
 * in a while; tests read them), and, when APPLICATIONINSIGHTS_CONNECTION_STRING is set, the
 * same signals as OpenTelemetry metrics exported to Azure Monitor. Without the setting nothing
 * is started and nothing is sent anywhere.
 */
export function telemetryFromConfig(
  config: Config,
  sink: Telemetry["log"],
  start: typeof useAzureMonitor = useAzureMonitor,
): { stats: StatsTelemetry; telemetry: Telemetry } {
  const stats = new StatsTelemetry(sink);
  const connectionString = config.APPLICATIONINSIGHTS_CONNECTION_STRING;
  if (!connectionString) return { stats, telemetry: stats };
  if (!monitorStarted) {
    start({ azureMonitorExporterOptions: { connectionString } });
    monitorStarted = true;
  }
  return { stats, telemetry: new TeeTelemetry(stats, new OtelTelemetry(metrics.getMeter("dagq"))) };
}
