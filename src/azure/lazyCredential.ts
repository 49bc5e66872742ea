/**
 * Entra ID credentials built on their first token request, with @azure/identity loaded then:
 * the library costs every process that imports it about 0.2 s at start (a worker's start above
 * all), and a connection-string deployment never asks for a token.
 */
// Types only: nothing loads.
import type {
  AccessToken,
  DefaultAzureCredentialClientIdOptions,
  GetTokenOptions,
  TokenCredential,
} from "@azure/identity";

/** DefaultAzureCredential with these options, made when a token is first needed. */
export function lazyDefaultCredential(
  options: DefaultAzureCredentialClientIdOptions = {},
): TokenCredential {
  let credential: Promise<TokenCredential> | null = null;
  return {
    async getToken(scopes: string | string[], opts?: GetTokenOptions): Promise<AccessToken | null> {
      credential ??= import("@azure/identity").then((m) => new m.DefaultAzureCredential(options));
      return (await credential).getToken(scopes, opts);
    },
  };
}
