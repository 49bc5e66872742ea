/**
 * Storage from the app settings, for every process that reads them (the Function App, the local
 * host, `dagq worker`): kept apart from the Functions runtime so that a worker does not load the
 * engine and OpenTelemetry to get its queues.
 */
// The SDKs share one TokenCredential type; Service Bus re-exports it (a type: nothing loads).
import type { TokenCredential } from "@azure/service-bus";
import type { Config } from "../config.js";
import { layout } from "../storage/layout.js";
import { type ConnectedStorage, connectStorage } from "./connect.js";
import { lazyDefaultCredential } from "./lazyCredential.js";

/**
 * The app's Entra ID identity when it runs on one: the user-assigned managed identity named by
 * `DagqStorage__clientId`, or the default chain when only an account name is set. Undefined for
 * a connection-string deployment (local development), which needs no token.
 */
export function identityCredential(config: Config): TokenCredential | undefined {
  const clientId = config.DagqStorage__clientId;
  if (clientId) return lazyDefaultCredential({ managedIdentityClientId: clientId });
  return config.DagqStorage ? undefined : lazyDefaultCredential();
}

/** Storage for the settings: a connection string, or the account with a managed identity. */
export function connectFromConfig(
  config: Config,
  credential: TokenCredential | undefined = identityCredential(config),
): ConnectedStorage {
  return connectStorage({
    ...(config.DagqStorage ? { connectionString: config.DagqStorage } : {}),
    ...(config.DagqStorage__accountName ? { accountName: config.DagqStorage__accountName } : {}),
    ...(credential ? { credential } : {}),
    container: layout(config.DAGQ_PREFIX).container,
  });
}
