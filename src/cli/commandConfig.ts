import { type Config, readConfig } from "../config.js";
import { toError } from "../toError.js";

/**
 * The app settings for a command that runs dagq's own processes (`host`, `worker`), or null
 * after saying on stderr what is wrong with them: missing or invalid settings are the user's to
 * fix, not a crash (the command exits with the usage code).
 */
export function commandConfig(command: string): Config | null {
  try {
    return readConfig();
  } catch (e) {
    process.stderr.write(`dagq ${command}: ${toError(e).message}\n`);
    return null;
  }
}
