import { readConfig } from "../../src/config.js";
import { readHostJson } from "../../src/host/hostJson.js";
import { type LocalHost, startLocalHost } from "../../src/host/localHost.js";
import { azuriteConnectionString } from "./azurite.js";

/** A deployment prefix of its own for a test: a letter, then random lower-case letters/digits. */
export function uniquePrefix(letter: string): string {
  return `${letter}${Math.random()
    .toString(36)
    .slice(2, 10)
    .replace(/[^a-z0-9]/g, "a")}`;
}

/**
 * The local functions host over the run's Azurite, with the repository's host.json polling a
 * little faster (tests wait on it), a known function key, and no stats lines.
 */
export async function startTestHost(prefix: string, key: string): Promise<LocalHost> {
  const settings = await readHostJson("host.json");
  return startLocalHost({
    config: readConfig({ DagqStorage: azuriteConnectionString(), DAGQ_PREFIX: prefix }),
    hostJson: { ...settings, queues: { ...settings.queues, maxPollingIntervalMs: 200 } },
    keys: { function: [key] },
    statsEveryMs: 0,
  });
}
