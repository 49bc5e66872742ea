/**
 * Vitest global setup: one Azurite (on free loopback ports, its data in a temporary folder) for
 * the whole run. Test files read its connection string with `azuriteConnectionString()` from
 * ./azurite.ts and isolate themselves by name (./names.ts). Its pauses over 2 s are printed at
 * the end (./stallWatch.ts), so a timing failure can be set against the emulator's.
 */
import type { TestProject } from "vitest/node";
import { startAzurite } from "../../src/azure/azurite.js";
import { watchStalls } from "./stallWatch.js";

declare module "vitest" {
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite();
  project.provide("azuriteConnectionString", azurite.connectionString);
  const watch = watchStalls(azurite.queuePort);
  return async () => {
    const stalls = watch.stop();
    if (stalls.length > 0) {
      const list = stalls.map((s) => `${s.at.toISOString().slice(11, 19)} ${s.ms} ms`);
      process.stderr.write(`Azurite stalled ${stalls.length} time(s): ${list.join(", ")}\n`);
    }
    await azurite.stop();
  };
}
