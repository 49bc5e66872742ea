import { TableClient } from "@azure/data-tables";
import { AzureTableStore } from "../../src/azure/tableStore.js";
import { MemoryTableStore } from "../../src/memory/memoryTableStore.js";
import { azuriteConnectionString } from "../support/azurite.js";
import { describeTableStoreContract } from "./tableStore.contract.js";

describeTableStoreContract("memory", () => {
  let now = Date.parse("2030-01-01T00:00:00Z");
  return {
    store: new MemoryTableStore(() => now),
    pass: async (ms) => {
      now += ms;
    },
  };
});

describeTableStoreContract("azure (Azurite)", () => {
  const cs = azuriteConnectionString();
  return {
    store: new AzureTableStore((table) =>
      TableClient.fromConnectionString(cs, table, { allowInsecureConnection: true }),
    ),
    pass: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
});
