/**
 * Test-side access to the Azurite that test/support/globalSetup.ts started for the run. The
 * reusable part (starting the emulator) is src/azure/azurite.ts, also used by `dagq dev`.
 */
import { inject } from "vitest";

export { startAzurite } from "../../src/azure/azurite.js";

/** The connection string globalSetup provided (its `ProvidedContext` declaration types it). */
export function azuriteConnectionString(): string {
  const cs = inject("azuriteConnectionString");
  if (!cs) {
    throw new Error(
      'no Azurite: add globalSetup: ["test/support/globalSetup.ts"] to the vitest config',
    );
  }
  return cs;
}
