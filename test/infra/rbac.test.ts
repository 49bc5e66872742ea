/**
 * rbac.bicep: one role table, the right built-in role GUIDs, every data-plane area the code
 * touches covered for the app's identity, workers limited to what a worker does, and no role
 * assignment anywhere else.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { arrayObjects, BicepFile, INFRA, innerOf, literal, objectEntries } from "./bicep.js";

const rbac = BicepFile.infra("modules/rbac.bicep");
const SRC = resolve(INFRA, "../src");

/**
 * Azure built-in role definition ids, from the Azure RBAC built-in roles reference (Storage,
 * Monitor and Integration categories): role name → GUID.
 */
const BUILT_IN: Record<string, [string, string]> = {
  storageBlobDataOwner: ["Storage Blob Data Owner", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"],
  storageBlobDataContributor: [
    "Storage Blob Data Contributor",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  ],
  storageQueueDataContributor: [
    "Storage Queue Data Contributor",
    "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
  ],
  storageQueueDataMessageSender: [
    "Storage Queue Data Message Sender",
    "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a",
  ],
  storageTableDataContributor: [
    "Storage Table Data Contributor",
    "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
  ],
  monitoringMetricsPublisher: [
    "Monitoring Metrics Publisher",
    "3913510d-42f4-4e42-8a64-420c390055eb",
  ],
  serviceBusDataSender: ["Azure Service Bus Data Sender", "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39"],
  serviceBusDataReceiver: [
    "Azure Service Bus Data Receiver",
    "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
  ],
};

interface Grant {
  readonly table: string;
  readonly principalId: string;
  readonly role: string;
  readonly scope: string;
  readonly target: string;
  readonly why: string;
}

/** The objects of a grant table: `[for x in xs: { ... }]`, `[ {...} ]` or `cond ? [ {...} ] : []`. */
function objectsOf(body: string): Map<string, string>[] {
  if (body.startsWith("[for ")) return [objectEntries(innerOf(body, body.indexOf("{")))];
  if (!/^(\w+ \? )?\[/.test(body)) throw new Error(`not a grant table: ${body.slice(0, 40)}`);
  return arrayObjects(innerOf(body, body.indexOf("[")));
}

/** The grants of the role table: every `var ...Grants` that is not a filter of it. */
function grants(): Grant[] {
  const out: Grant[] = [];
  for (const v of rbac.vars()) {
    if (!/Grants$/.test(v.name) || /^(filter|concat)\(/.test(v.body)) continue;
    for (const o of objectsOf(v.body)) {
      out.push({
        table: v.name,
        principalId: o.get("principalId")!,
        role: literal(o.get("role")!),
        scope: literal(o.get("scope")!),
        target: o.get("target")!,
        why: literal(o.get("why")!),
      });
    }
  }
  return out;
}

const table = grants();
const app = table.filter((g) => g.principalId === "appPrincipalId");
const workers = table.filter((g) => g.principalId !== "appPrincipalId");
const has = (gs: readonly Grant[], role: string, scope: string) =>
  gs.some((g) => g.role === role && g.scope === scope);

describe("rbac.bicep", () => {
  it("uses the built-in role GUIDs", () => {
    const roleIds = objectEntries(innerOf(rbac.vars().find((v) => v.name === "roleIds")!.body, 0));
    expect([...roleIds.keys()].sort()).toEqual(Object.keys(BUILT_IN).sort());
    for (const [key, [name, guid]] of Object.entries(BUILT_IN)) {
      expect(literal(roleIds.get(key)!), `${key} is ${name}`).toBe(guid);
    }
  });

  it("reads the role table: every grant names a known role, a scope and a reason", () => {
    expect(table.length).toBe(10); // app: 4 + Service Bus sender; workers: 5 (one is per task queue)
    for (const g of table) {
      expect(Object.keys(BUILT_IN), g.table).toContain(g.role);
      expect(["account", "container", "queue", "table", "appInsights", "serviceBus"]).toContain(
        g.scope,
      );
      expect(g.why.length, `${g.role} has a reason`).toBeGreaterThan(20);
    }
  });

  it("covers every data-plane area the code touches for the app's identity", () => {
    /** Area → a marker that the code still does it, and the role (at account scope) covering it. */
    const areas: [string, string, RegExp, string][] = [
      ["blob leases", "azure/blobStore.ts", /getBlobLeaseClient\(/, "storageBlobDataOwner"],
      ["blob metadata", "azure/blobStore.ts", /\.setMetadata\(/, "storageBlobDataOwner"],
      ["append blobs", "azure/blobStore.ts", /appendBlock\(/, "storageBlobDataOwner"],
      ["queue send", "azure/queueStore.ts", /sendMessage\(/, "storageQueueDataContributor"],
      ["queue update", "azure/queueStore.ts", /updateMessage\(/, "storageQueueDataContributor"],
      ["queue clear", "azure/queueStore.ts", /clearMessages\(/, "storageQueueDataContributor"],
      ["queue create", "azure/queueStore.ts", /createIfNotExists\(/, "storageQueueDataContributor"],
      ["table batch", "azure/tableStore.ts", /submitTransaction\(/, "storageTableDataContributor"],
      ["table create", "azure/tableStore.ts", /createTable\(/, "storageTableDataContributor"],
    ];
    for (const [area, file, marker, role] of areas) {
      expect(readFileSync(join(SRC, file), "utf8"), `${file} still does ${area}`).toMatch(marker);
      expect(has(app, role, "account"), `${area}: ${role} on the account`).toBe(true);
    }
    expect(has(app, "monitoringMetricsPublisher", "appInsights")).toBe(true);
    expect(readFileSync(join(SRC, "azure/serviceBusTaskSink.ts"), "utf8")).toMatch(
      /sendMessages\(/,
    );
    expect(app.find((g) => g.role === "serviceBusDataSender")?.table).toBe("appServiceBusGrants");
    expect(rbac.vars().find((v) => v.name === "appServiceBusGrants")?.body).toMatch(
      /^useServiceBus\s*\?/,
    );
  });

  it("gives workers only what a worker does, on the narrowest scopes", () => {
    expect(workers.map((g) => `${g.role}@${g.scope}:${g.target}`).sort()).toEqual([
      "serviceBusDataReceiver@serviceBus:''",
      "storageBlobDataContributor@container:containerName",
      "storageQueueDataContributor@queue:workerQueueNames[i % workerQueueCount]",
      "storageQueueDataMessageSender@queue:completionQueueName",
      "storageTableDataContributor@table:workersTableName",
    ]);
    for (const g of workers) expect(g.scope).not.toBe("account");
    expect(rbac.vars().find((v) => v.name === "workerServiceBusGrants")?.body).toMatch(
      /useServiceBus \? workerPrincipalIds : \[\]/,
    );
  });

  it("assigns every grant through one loop per scope over the same table", () => {
    const assignments = rbac
      .resources()
      .filter((r) => r.type === "Microsoft.Authorization/roleAssignments");
    expect(assignments.map((a) => a.loop?.array).sort()).toEqual([
      "accountGrants",
      "appInsightsGrants",
      "containerGrants",
      "queueGrants",
      "serviceBusGrants",
      "tableGrants",
    ]);
    for (const a of assignments) {
      expect(a.apiVersion).toBe("2022-04-01");
      expect(a.body).toMatch(/\n\s*name: guid\([^)]*g\.principalId, roleIds\[g\.role\]\)\n/);
      expect(a.body).toMatch(/principalType: 'ServicePrincipal'/);
      expect(a.body).toMatch(
        /roleDefinitionId: subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', roleIds\[g\.role\]\)/,
      );
    }
    for (const scope of ["account", "container", "queue", "table", "appInsights", "serviceBus"]) {
      const v = rbac.vars().find((x) => x.name === `${scope}Grants`);
      expect(v?.body).toBe(`filter(grants, g => g.scope == '${scope}')`);
    }
    // `grants` concatenates every table (directly or through another concat).
    const bodies = new Map(rbac.vars().map((v) => [v.name, v.body]));
    const reached = new Set<string>();
    const visit = (name: string): void => {
      const m = /^concat\(([^)]*)\)$/.exec(bodies.get(name) ?? "");
      if (!m) return void reached.add(name);
      for (const part of m[1]!.split(",")) visit(part.trim());
    };
    visit("grants");
    expect([...reached].sort()).toEqual([...new Set(table.map((g) => g.table))].sort());
  });

  it("is the only place that assigns roles", () => {
    const files = readdirSync(join(INFRA, "modules")).map((f) => `modules/${f}`);
    for (const f of ["main.bicep", ...files].filter((f) => f.endsWith(".bicep"))) {
      const text = BicepFile.infra(f).code;
      const assigns = text.includes("Microsoft.Authorization/roleAssignments");
      expect(assigns, f).toBe(f === "modules/rbac.bicep");
    }
  });
});
