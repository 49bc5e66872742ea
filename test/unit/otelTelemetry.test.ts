import type { AzureMonitorExporterOptions } from "@azure/monitor-opentelemetry-exporter";
import type { TokenCredential } from "@azure/service-bus";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  MetricReader,
} from "@opentelemetry/sdk-metrics";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.js";
import { OtelTelemetry, TeeTelemetry } from "../../src/observability/otelTelemetry.js";
import { StatsTelemetry } from "../../src/observability/telemetry.js";
import { telemetryFromConfig } from "../../src/observability/telemetryFromConfig.js";

class CollectingReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

describe("OpenTelemetry metrics", () => {
  it("exports counters and observations as dagq.* counters and histograms", async () => {
    const reader = new CollectingReader();
    const provider = new MeterProvider({ readers: [reader] });
    const t = new OtelTelemetry(provider.getMeter("dagq"));
    t.count("completions.received", 3);
    t.count("completions.received", 2);
    t.observe("flush.ms", 4);
    t.observe("flush.ms", 6);
    const { resourceMetrics } = await reader.collect();
    const byName = Object.fromEntries(
      resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]),
    );
    expect(byName["dagq.completions.received"]?.dataPoints[0]?.value).toBe(5);
    const hist = byName["dagq.flush.ms"]?.dataPoints[0]?.value as { count: number; sum: number };
    expect(hist).toMatchObject({ count: 2, sum: 10 });
    expect(byName["dagq.flush.ms"]?.descriptor.unit).toBe("ms");
    await provider.shutdown();
  });

  it("a tee keeps the local totals and logs once", () => {
    const lines: string[] = [];
    const a = new StatsTelemetry((_, m) => lines.push(`a:${m}`));
    const b = new StatsTelemetry((_, m) => lines.push(`b:${m}`));
    const tee = new TeeTelemetry(a, b);
    tee.count("x", 2);
    tee.observe("y", 7);
    tee.log("warn", "hello");
    expect([a.counter("x"), b.counter("x"), a.observations.get("y")?.sum]).toEqual([2, 2, 7]);
    expect(lines).toEqual(["a:hello"]);
  });

  it("is off without APPLICATIONINSIGHTS_CONNECTION_STRING, and exports with the identity with it", async () => {
    const seen: AzureMonitorExporterOptions[] = [];
    const exporter = (o: AzureMonitorExporterOptions) => {
      seen.push(o);
      return new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    };
    const off = telemetryFromConfig(
      readConfig({ DagqStorage: "UseDevelopmentStorage=true" }),
      () => {},
      { exporter },
    );
    expect(off.telemetry).toBe(off.stats);
    expect(seen).toEqual([]);
    const cs =
      "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:1/";
    const credential: TokenCredential = { getToken: async () => null };
    const on = telemetryFromConfig(
      readConfig({
        DagqStorage__accountName: "dagqtest",
        APPLICATIONINSIGHTS_CONNECTION_STRING: cs,
      }),
      () => {},
      { exporter, credential },
    );
    expect(on.telemetry).toBeInstanceOf(TeeTelemetry);
    // The component has local auth off: without the credential every export is refused.
    expect(seen).toEqual([{ connectionString: cs, credential }]);
    await on.shutdown();
  });
});
