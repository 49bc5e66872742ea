import type { Counter, Histogram, Meter } from "@opentelemetry/api";
import type { LogLevel, Telemetry } from "./telemetry.js";

/** Units of the engine's observations, for the exported histograms. */
const UNITS: Readonly<Record<string, string>> = {
  "flush.ms": "ms",
  "flush.bytes": "By",
  "batch.size": "{event}",
  "admission.queue": "{workflow}",
};

/**
 * The engine's counters and observations as OpenTelemetry metrics (`dagq.<name>`): counters
 * stay counters, observations become histograms. Instruments are created on first use, so a
 * new signal in the engine needs no change here.
 */
export class OtelTelemetry implements Telemetry {
  private readonly counters = new Map<string, Counter>();
  private readonly histograms = new Map<string, Histogram>();

  /** Log records go straight to `log`: only metrics are exported from here. */
  constructor(
    private readonly meter: Meter,
    readonly log: Telemetry["log"] = () => {},
  ) {}

  count(name: string, n = 1): void {
    let c = this.counters.get(name);
    if (!c) {
      c = this.meter.createCounter(`dagq.${name}`);
      this.counters.set(name, c);
    }
    c.add(n);
  }

  observe(name: string, value: number): void {
    let h = this.histograms.get(name);
    if (!h) {
      h = this.meter.createHistogram(`dagq.${name}`, UNITS[name] ? { unit: UNITS[name] } : {});
      this.histograms.set(name, h);
    }
    h.record(value);
  }
}

/** Sends every signal to several telemetries: the local totals, and an exporter. */
export class TeeTelemetry implements Telemetry {
  private readonly all: readonly Telemetry[];

  constructor(...all: Telemetry[]) {
    this.all = all;
  }

  log(level: LogLevel, message: string, attrs?: Record<string, unknown>): void {
    // One sink logs: the first. The others would print the same line twice.
    this.all[0]?.log(level, message, attrs);
  }

  count(name: string, n?: number): void {
    for (const t of this.all) t.count(name, n);
  }

  observe(name: string, value: number): void {
    for (const t of this.all) t.observe(name, value);
  }
}
