/**
 * Hygiene of infra/: shared-key access off, no key or connection string anywhere, no secret in
 * an output, composition that holds together (modules exist, their parameters are passed), a
 * description on every main.bicep parameter, parameter files that match main.bicep, and the
 * Flex Consumption and identity settings the deployment relies on.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.js";
import { functionTable } from "../../src/functions/registry.js";
import { createRuntime } from "../../src/functions/runtime.js";
import { BicepFile, INFRA, infraFileExists, literal } from "./bicep.js";

const main = BicepFile.infra("main.bicep");
const moduleFiles = readdirSync(join(INFRA, "modules"))
  .filter((f) => f.endsWith(".bicep"))
  .map((f) => `modules/${f}`);
const bicepFiles = ["main.bicep", ...moduleFiles];
const infraFiles = [...bicepFiles, "main.bicepparam"];

describe("infra/ hygiene", () => {
  it("has the modules main.bicep composes, and only those", () => {
    const paths = main.modules().map((m) => m.path);
    expect(paths.sort()).toEqual([
      "./modules/functionApp.bicep",
      "./modules/identity.bicep",
      "./modules/monitoring.bicep",
      "./modules/rbac.bicep",
      "./modules/storage.bicep",
    ]);
    for (const p of paths) expect(infraFileExists(p), p).toBe(true);
    expect(moduleFiles.map((f) => `./${f}`).sort()).toEqual(paths);
    expect(main.code).toMatch(/^targetScope = 'resourceGroup'$/m);
  });

  it("passes each module exactly the parameters it declares, all required ones included", () => {
    for (const m of main.modules()) {
      const declared = BicepFile.infra(m.path).params();
      const names = declared.map((p) => p.name);
      for (const passed of m.params.keys()) expect(names, `${m.path}: ${passed}`).toContain(passed);
      for (const p of declared.filter((d) => d.defaultText === undefined)) {
        expect(m.params.has(p.name), `${m.path} needs ${p.name}`).toBe(true);
      }
    }
  });

  it("describes every parameter of main.bicep", () => {
    const params = main.params();
    expect(params.map((p) => p.name)).toEqual([
      "environmentName",
      "location",
      "prefix",
      "maxRunningWorkflows",
      "maxInFlight",
      "leaseSeconds",
      "readyRepairAfterS",
      "maxQueueDepth",
      "packTasks",
      "sweepConcurrency",
      "maxRequestBytes",
      "sweepRunningSchedule",
      "sweepOrphansSchedule",
      "admissionSchedule",
      "serviceBusNamespaces",
      "maximumInstanceCount",
      "instanceMemoryMB",
      "alwaysReadyInstances",
      "taskQueues",
      "workerPrincipalIds",
      "serviceBusNamespaceName",
    ]);
    for (const p of params) {
      const d = p.decorators.get("description");
      expect(d, `${p.name} has @description`).toBeDefined();
      expect(literal(d!).length, `${p.name} description`).toBeGreaterThan(15);
    }
    const required = params.filter((p) => p.defaultText === undefined).map((p) => p.name);
    expect(required).toEqual(["environmentName"]);
  });

  it("turns shared-key access off and keeps the account private and on TLS 1.2", () => {
    const account = BicepFile.infra("modules/storage.bicep").resource(
      "Microsoft.Storage/storageAccounts",
    ).body;
    expect(account).toMatch(/\n\s*allowSharedKeyAccess: false\n/);
    expect(account).toMatch(/\n\s*defaultToOAuthAuthentication: true\n/);
    expect(account).toMatch(/\n\s*allowBlobPublicAccess: false\n/);
    expect(account).toMatch(/\n\s*minimumTlsVersion: 'TLS1_2'\n/);
    expect(account).toMatch(/\n\s*supportsHttpsTrafficOnly: true\n/);
    expect(account).toMatch(/\n\s*kind: 'StorageV2'\n/);
  });

  it("holds no key, SAS or connection string, except the App Insights endpoint setting", () => {
    const forbidden = [
      /listKeys\s*\(/i,
      /listAccountSas|listServiceSas|listConnectionStrings|listSecrets/i,
      /AccountKey/i,
      /SharedAccessKey/i,
      /DefaultEndpointsProtocol/i,
      /InstrumentationKey/i,
      /@secure\(\)/, // nothing here should need to be a secret
    ];
    for (const f of infraFiles) {
      const text = readFileSync(join(INFRA, f), "utf8");
      for (const re of forbidden) expect(text, `${f} matches ${re}`).not.toMatch(re);
      const code = f.endsWith(".bicep") ? BicepFile.infra(f).code : text;
      const connectionStrings = code.match(/connection_?string/gi) ?? [];
      const allowed = f === "modules/functionApp.bicep" ? 2 : 0; // the setting's name and value
      expect(connectionStrings.length, `${f}: connection strings`).toBe(allowed);
    }
  });

  it("outputs no key, secret, password or connection string", () => {
    const secretish = /key|secret|password|connectionstring|token|sas/i;
    for (const f of bicepFiles) {
      for (const o of BicepFile.infra(f).outputs()) {
        expect(o.name, `${f}: output ${o.name}`).not.toMatch(secretish);
        expect(o.body, `${f}: output ${o.name}`).not.toMatch(secretish);
      }
    }
    const outputs = main.outputs().map((o) => o.name);
    for (const needed of [
      "DAGQ_URL",
      "FUNCTION_APP_NAME",
      "STORAGE_ACCOUNT_NAME",
      "COMPLETION_QUEUE",
      "TASK_QUEUES",
      "IDENTITY_CLIENT_ID",
    ]) {
      expect(outputs).toContain(needed);
    }
    expect(main.outputs().find((o) => o.name === "DAGQ_URL")?.body).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Bicep interpolation, verbatim
      "'https://${functionApp.outputs.defaultHostName}/api'",
    );
  });

  it("derives names from one resource token and uses one user-assigned identity", () => {
    const token = main.vars().find((v) => v.name === "resourceToken")?.body;
    expect(token).toBe(
      "toLower(uniqueString(subscription().id, resourceGroup().id, location, environmentName))",
    );
    for (const v of ["identityName", "storageAccountName", "appInsightsName", "functionAppName"]) {
      expect(main.vars().find((x) => x.name === v)?.body, v).toMatch(/\$\{resourceToken\}/);
    }
    const identities = bicepFiles.flatMap((f) =>
      BicepFile.infra(f)
        .resources()
        .filter((r) => r.type === "Microsoft.ManagedIdentity/userAssignedIdentities"),
    );
    expect(identities.length).toBe(1);
    for (const f of bicepFiles) {
      expect(BicepFile.infra(f).code, f).not.toMatch(/SystemAssigned/);
    }
  });

  it("runs on a Flex Consumption plan, Node 22, deployed and monitored with the identity", () => {
    const app = BicepFile.infra("modules/functionApp.bicep");
    const plan = app.resource("Microsoft.Web/serverfarms").body;
    expect(plan).toMatch(/tier: 'FlexConsumption'\n\s*name: 'FC1'/);
    expect(plan).toMatch(/reserved: true/);
    const site = app.resource("Microsoft.Web/sites");
    expect(site.body).toMatch(/\n\s*kind: 'functionapp,linux'\n/);
    expect(site.body).toMatch(/\n\s*httpsOnly: true\n/);
    expect(site.body).toMatch(/type: 'UserAssigned'\n/);
    expect(site.body).toMatch(
      /authentication: \{\n\s*type: 'UserAssignedIdentity'\n\s*userAssignedIdentityResourceId: identityId\n/,
    );
    // Node 20 reaches end of life in April 2026 (issue 11, item 13).
    expect(site.body).toMatch(/runtime: \{\n\s*name: 'node'\n\s*version: '22'\n/);
    expect(site.body).toMatch(/maximumInstanceCount: maximumInstanceCount\n/);
    expect(site.body).toMatch(/instanceMemoryMB: instanceMemoryMB\n/);
    expect(site.body).toMatch(/'azd-service-name': 'api'/);
    expect(main.param("maximumInstanceCount").defaultText).toBe("100");
    expect(main.param("instanceMemoryMB").defaultText).toBe("2048");
    const insights = BicepFile.infra("modules/monitoring.bicep").resource(
      "Microsoft.Insights/components",
    ).body;
    expect(insights).toMatch(/\n\s*DisableLocalAuth: true\n/);
    expect(insights).toMatch(/\n\s*WorkspaceResourceId: workspace\.id\n/);
  });

  it("has one parameter file, main.bicepparam, naming main.bicep's parameters", () => {
    // azd uses main.bicepparam whenever it exists, so a main.parameters.json would be dead.
    expect(readdirSync(INFRA).filter((f) => /param/i.test(f))).toEqual(["main.bicepparam"]);
    const names = main.params().map((p) => p.name);
    const bicepparam = readFileSync(join(INFRA, "main.bicepparam"), "utf8");
    expect(bicepparam).toMatch(/^using '\.\/main\.bicep'$/m);
    const paramNames = [...bicepparam.matchAll(/^param (\w+) =/gm)].map((m) => m[1]!);
    expect(paramNames).toContain("environmentName");
    for (const n of paramNames) expect(names, `main.bicepparam: ${n}`).toContain(n);
    expect(bicepparam).toMatch(
      /^param environmentName = readEnvironmentVariable\('AZURE_ENV_NAME'/m,
    );
  });

  it("keeps the completion trigger and the HTTP functions always ready, as a parameter", () => {
    const app = BicepFile.infra("modules/functionApp.bicep");
    const site = app.resource("Microsoft.Web/sites").body;
    // Flex Consumption's scale groups: `http` for every HTTP function, `function:<name>` else.
    const names = [
      ...site.matchAll(/name: '((?:function:)?\w+)'\n\s*instanceCount: alwaysReadyInstances\n/g),
    ].map((m) => m[1]);
    expect(names).toEqual(["function:completionIngest", "http"]);
    const table = functionTable(
      createRuntime(readConfig({ DagqStorage: "UseDevelopmentStorage=true" })),
    );
    expect(table.find((f) => f.name === "completionIngest")?.trigger.kind).toBe("queue");
    expect(site).toMatch(/alwaysReady: alwaysReadyInstances == 0 \? \[\] : \[\n/);
    expect(main.param("alwaysReadyInstances").defaultText).toBe("1");
    expect(
      main
        .modules()
        .find((m) => m.path === "./modules/functionApp.bicep")
        ?.params.get("alwaysReadyInstances"),
    ).toBe("alwaysReadyInstances");
  });

  it("disables the admission timer when there is no running-workflow limit", () => {
    const settings = BicepFile.infra("modules/functionApp.bicep").appSettings();
    const table = functionTable(
      createRuntime(readConfig({ DagqStorage: "UseDevelopmentStorage=true" })),
    );
    const admission = table.find((f) => f.name === "admission");
    expect(admission?.trigger.kind).toBe("timer");
    // The Functions host's per-function switch: AzureWebJobs.<FUNCTION_NAME>.Disabled.
    expect(settings.get(`AzureWebJobs.${admission!.name}.Disabled`)).toBe(
      "maxRunningWorkflows == 0 ? 'true' : 'false'",
    );
  });

  it("points azd at the Function App and the build", () => {
    const yaml = readFileSync(join(INFRA, "../azure.yaml"), "utf8");
    expect(yaml).toMatch(
      /^services:\n {2}api:\n {4}project: \.\n {4}language: js\n {4}host: function\n/m,
    );
    // azd runs `npm run package` and deploys the folder it writes, not the project root.
    expect(yaml).toMatch(/^ {4}dist: build\/functionapp$/m);
    expect(yaml).toMatch(/^ {2}path: infra$/m);
    const pkg = JSON.parse(readFileSync(join(INFRA, "../package.json"), "utf8")) as {
      main: string;
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.build).toBeDefined(); // azd runs `npm run build`
    expect(pkg.scripts.package).toBe("tsx scripts/package.ts"); // then `npm run package`
    expect(pkg.main).toBe("dist/functions/index.js");
  });
});
