/**
 * storage.bicep creates exactly the names src/storage/layout.ts derives from the prefix, and at
 * least everything provision() creates. The Bicep name expressions are evaluated (test/infra/
 * bicep.ts) with the prefix substituted, for the default prefix and for another one, so a name
 * hard-coded to `dagq` fails too.
 */
import { describe, expect, it, vi } from "vitest";
import { createEngine, provision } from "../../src/engine/context.js";
import { memoryStorage } from "../../src/memory/memoryStorage.js";
import { layout } from "../../src/storage/layout.js";
import { BicepFile } from "./bicep.js";

const storage = BicepFile.infra("modules/storage.bicep");
const QUEUE = "Microsoft.Storage/storageAccounts/queueServices/queues";
const TABLE = "Microsoft.Storage/storageAccounts/tableServices/tables";
const CONTAINER = "Microsoft.Storage/storageAccounts/blobServices/containers";

/** The names a loop resource of `type` creates, for the given parameter values. */
function created(type: string, params: Record<string, string | string[]>): string[] {
  const resource = storage.resource(type);
  expect(resource.loop, `${type} is declared as a loop over a name array`).toBeDefined();
  const loop = resource.loop!;
  expect(resource.body).toMatch(new RegExp(`\\n\\s*name:\\s*${loop.variable}\\s*\\n`));
  const names = storage.evaluate(loop.array, {
    deploymentContainerName: "app-package-test",
    ...params,
  });
  expect(Array.isArray(names)).toBe(true);
  return (names as string[]).slice().sort();
}

/** What layout() names for a prefix: the deployment's queues and their poison queues. */
function layoutQueues(prefix: string, taskQueues: readonly string[]): string[] {
  const n = layout(prefix);
  const queues = [n.completionQueue, n.controlQueue, ...taskQueues.map((q) => n.taskQueue(q))];
  return [...queues, ...queues.map((q) => n.poisonQueue(q))].sort();
}

async function provisioned(prefix: string): Promise<{ queues: string[]; tables: string[] }> {
  const s = memoryStorage();
  const queues = vi.spyOn(s.queues, "ensure");
  const tables = vi.spyOn(s.tables, "ensure");
  await provision(createEngine(s, { prefix }));
  return {
    queues: queues.mock.calls.map((c) => c[0]).sort(),
    tables: tables.mock.calls.map((c) => c[0]).sort(),
  };
}

describe("storage.bicep names", () => {
  it("derives names from the prefix parameter, whose default is dagq", () => {
    expect(storage.param("prefix").defaultText).toBeUndefined(); // main.bicep passes it
    expect(BicepFile.infra("main.bicep").param("prefix").defaultText).toBe("'dagq'");
    expect(storage.param("taskQueues").defaultText?.replace(/\s+/g, "")).toBe("['default']");
  });

  for (const prefix of ["dagq", "p7x"]) {
    it(`creates the queues layout("${prefix}") derives, with a poison queue each`, () => {
      const queues = created(QUEUE, { prefix });
      expect(queues).toEqual(layoutQueues(prefix, ["default"]));
      expect(queues).toContain(`${prefix}-completions-poison`);
      expect(queues).toContain(`${prefix}-tasks-default-poison`);
    });

    it(`creates the index, inbox and workers tables and the container for "${prefix}"`, () => {
      const n = layout(prefix);
      expect(created(TABLE, { prefix })).toEqual(
        [n.inboxTable, n.indexTable, n.workersTable].sort(),
      );
      expect(created(CONTAINER, { prefix })).toEqual([n.container, "app-package-test"].sort());
    });
  }

  it("creates a task queue and its poison queue per logical task queue", () => {
    const queues = created(QUEUE, { prefix: "dagq", taskQueues: ["default", "gpu"] });
    expect(queues).toEqual(layoutQueues("dagq", ["default", "gpu"]));
    expect(queues).toContain("dagq-tasks-gpu-poison");
  });

  it("creates everything provision() creates", async () => {
    const made = await provisioned("dagq");
    expect(made.queues).toEqual([
      "dagq-completions",
      "dagq-completions-poison",
      "dagq-control",
      "dagq-tasks-default",
    ]);
    expect(made.tables).toEqual(["dagqinbox", "dagqworkers", "dagqworkflows"]);
    const queues = created(QUEUE, { prefix: "dagq" });
    for (const q of made.queues) expect(queues).toContain(q);
    expect(created(TABLE, { prefix: "dagq" })).toEqual(made.tables);
  });

  it("outputs the names rbac.bicep and clients use, from the same variables", () => {
    const outputs = new Map(storage.outputs().map((o) => [o.name, o.body]));
    expect(outputs.get("containerName")).toBe("containerName");
    expect(outputs.get("completionQueueName")).toBe("completionQueueName");
    expect(storage.evaluate("completionQueueName", { prefix: "dagq" })).toBe(
      layout("dagq").completionQueue,
    );
    expect(storage.evaluate(outputs.get("workerQueueNames")!, { prefix: "dagq" })).toEqual([
      "dagq-tasks-default",
      "dagq-tasks-default-poison",
    ]);
  });
});
