/**
 * functionApp.bicep sets every app setting src/config.ts reads that a managed-identity deployment
 * needs, nothing dagq does not read beyond what the Functions runtime needs, and the DAGQ_*
 * parameters of main.bicep default to, and are bounded like, ConfigSchema.
 */
import { describe, expect, it } from "vitest";
import type { ZodType } from "zod";
import { ConfigSchema } from "../../src/config.js";
import { BicepFile, literal } from "./bicep.js";

const functionApp = BicepFile.infra("modules/functionApp.bicep");
const main = BicepFile.infra("main.bicep");
const settings = functionApp.appSettings();
const schemaKeys = Object.keys(ConfigSchema.shape);

/** ConfigSchema settings a deployment from these templates does not set, and why. */
const NOT_DEPLOYED: Record<string, string> = {
  DagqStorage:
    "a connection string (shared key); with identity the account comes from DagqStorage__accountName",
};

/** Settings the code does not read but the Functions runtime needs, and why. */
const RUNTIME_SETTINGS: Record<string, string> = {
  AzureWebJobsStorage__accountName: "the host's own storage (keys, timer locks), by identity",
  AzureWebJobsStorage__credential: "identity-based host storage",
  AzureWebJobsStorage__clientId: "selects the user-assigned identity for host storage",
  DagqStorage__queueServiceUri: "the queue triggers' connection `DagqStorage` (queue service URI)",
  DagqStorage__credential: "the queue triggers' connection uses a managed identity",
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "Entra ID authentication of telemetry",
  "AzureWebJobs.admission.Disabled": "the host skips the admission timer when there is no limit",
};

/** main.bicep parameter behind each DAGQ_* setting (passed through to functionApp.bicep). */
const PARAM_OF: Record<string, string> = {
  DAGQ_PREFIX: "prefix",
  DAGQ_MAX_RUNNING_WORKFLOWS: "maxRunningWorkflows",
  DAGQ_MAX_IN_FLIGHT: "maxInFlight",
  DAGQ_LEASE_SECONDS: "leaseSeconds",
  DAGQ_READY_REPAIR_AFTER_S: "readyRepairAfterS",
  DAGQ_SWEEP_CONCURRENCY: "sweepConcurrency",
  DAGQ_MAX_QUEUE_DEPTH: "maxQueueDepth",
  DAGQ_PACK_TASKS: "packTasks",
  DAGQ_MAX_REQUEST_BYTES: "maxRequestBytes",
  DAGQ_SWEEP_RUNNING_SCHEDULE: "sweepRunningSchedule",
  DAGQ_SWEEP_ORPHANS_SCHEDULE: "sweepOrphansSchedule",
  DAGQ_ADMISSION_SCHEDULE: "admissionSchedule",
  DAGQ_SERVICEBUS_NAMESPACES: "serviceBusNamespaces",
};

/** The inner number schema of `int(min, max, default)` in config.ts. */
function numberBounds(key: string): { min: number | null; max: number | null } | null {
  const schema = (ConfigSchema.shape as Record<string, ZodType>)[key] as unknown as {
    unwrap?: () => { minValue?: number | null; maxValue?: number | null };
  };
  const inner = schema.unwrap?.();
  if (inner?.minValue === undefined) return null;
  return { min: inner.minValue ?? null, max: inner.maxValue ?? null };
}

describe("app settings of functionApp.bicep", () => {
  it("sets every ConfigSchema setting a deployment needs", () => {
    const needed = schemaKeys.filter((k) => !(k in NOT_DEPLOYED));
    expect(needed.length).toBeGreaterThanOrEqual(13);
    for (const key of needed) expect(settings.has(key), `${key} is set`).toBe(true);
    for (const key of Object.keys(NOT_DEPLOYED)) {
      expect(schemaKeys, `${key} is still read by config.ts`).toContain(key);
      expect(settings.has(key), `${key} is not set`).toBe(false);
    }
  });

  it("sets nothing but ConfigSchema settings and the documented runtime ones", () => {
    for (const key of settings.keys()) {
      expect(
        schemaKeys.includes(key) || key in RUNTIME_SETTINGS,
        `${key}: neither read by src/config.ts nor needed by the Functions runtime`,
      ).toBe(true);
    }
    const dagq = [...settings.keys()].filter((k) => k.startsWith("DAGQ_")).sort();
    expect(dagq).toEqual(schemaKeys.filter((k) => k.startsWith("DAGQ_")).sort());
    expect(Object.keys(PARAM_OF).sort()).toEqual(dagq);
  });

  it("leaves out the settings Flex Consumption deprecates", () => {
    for (const key of [
      "FUNCTIONS_WORKER_RUNTIME",
      "FUNCTIONS_EXTENSION_VERSION",
      "WEBSITE_RUN_FROM_PACKAGE",
      "WEBSITE_CONTENTSHARE",
      "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
      "WEBSITE_TIME_ZONE",
      "AzureWebJobsStorage",
    ]) {
      expect(settings.has(key), key).toBe(false);
    }
  });

  it("connects host storage, dagq storage and telemetry with the user-assigned identity", () => {
    expect(literal(settings.get("AzureWebJobsStorage__credential")!)).toBe("managedidentity");
    expect(literal(settings.get("DagqStorage__credential")!)).toBe("managedidentity");
    expect(settings.get("AzureWebJobsStorage__clientId")).toBe("identityClientId");
    expect(settings.get("DagqStorage__clientId")).toBe("identityClientId");
    expect(settings.get("AzureWebJobsStorage__accountName")).toBe("storage.name");
    expect(settings.get("DagqStorage__accountName")).toBe("storage.name");
    expect(settings.get("DagqStorage__queueServiceUri")).toBe(
      "storage.properties.primaryEndpoints.queue",
    );
    expect(settings.get("APPLICATIONINSIGHTS_AUTHENTICATION_STRING")).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Bicep interpolation, verbatim
      "'Authorization=AAD;ClientId=${identityClientId}'",
    );
    expect(settings.get("APPLICATIONINSIGHTS_CONNECTION_STRING")).toBe(
      "appInsights.properties.ConnectionString",
    );
  });

  it("passes each DAGQ_* setting from its main.bicep parameter", () => {
    const call = main.modules().find((m) => m.path === "./modules/functionApp.bicep");
    expect(call).toBeDefined();
    for (const [setting, param] of Object.entries(PARAM_OF)) {
      const value = settings.get(setting)!;
      const expected = functionApp.param(param).type === "int" ? `string(${param})` : param;
      expect(value, setting).toBe(expected);
      expect(call!.params.get(param), `main passes ${param}`).toBe(param);
      expect(main.param(param).type).toBe(functionApp.param(param).type);
    }
  });

  it("defaults every DAGQ_* parameter to ConfigSchema's default", () => {
    const defaults = ConfigSchema.parse({}) as Record<string, unknown>;
    for (const [setting, param] of Object.entries(PARAM_OF)) {
      const text = main.param(param).defaultText;
      expect(text, `${param} has a default`).toBeDefined();
      const value = main.evaluate(text!);
      // A list setting is a comma-separated string in an app setting.
      const expected = defaults[setting];
      expect(value, `${param} default = ${setting} default`).toEqual(
        Array.isArray(expected) ? expected.join(",") : expected,
      );
    }
  });

  it("bounds the integer parameters as ConfigSchema does", () => {
    let checked = 0;
    for (const [setting, param] of Object.entries(PARAM_OF)) {
      const bounds = numberBounds(setting);
      if (!bounds) continue;
      const p = main.param(param);
      expect(p.type).toBe("int");
      expect(Number(p.decorators.get("minValue")), `${param} @minValue`).toBe(bounds.min);
      expect(Number(p.decorators.get("maxValue")), `${param} @maxValue`).toBe(bounds.max);
      checked++;
    }
    expect(checked).toBe(8);
    const prefix = main.param("prefix");
    expect(prefix.decorators.get("minLength")).toBe("1");
    expect(prefix.decorators.get("maxLength")).toBe("16");
  });
});
