/**
 * Vitest global setup: one Azurite (in memory, on free loopback ports) for the whole run. Test
 * files read its connection string with `azuriteConnectionString()` from ./azurite.ts and
 * isolate themselves by name (./names.ts).
 */
import type { TestProject } from "vitest/node";
import { startAzurite } from "../../src/azure/azurite.js";

declare module "vitest" {
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite();
  project.provide("azuriteConnectionString", azurite.connectionString);
  return () => azurite.stop();
}
