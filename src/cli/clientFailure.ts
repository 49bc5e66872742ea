import { DagqApiError, DagqConnectionError, DagqResponseError } from "../client/index.js";
import { DagqError } from "../core/index.js";
import { EndpointError } from "./endpoint.js";
import { ExitCode } from "./exitCode.js";

/**
 * Exit codes of the client commands beyond ExitCode's: the sysexits values where one fits, so
 * a script can tell "dagq said no" from "dagq is not there" from "wrong key".
 */
export const ClientExitCode = {
  /** `dagq watch`: the workflow was cancelled. */
  cancelled: 3,
  /** No such workflow or purge job (404). */
  notFound: 4,
  /** dagq could not be reached, timed out, or failed (5xx): EX_UNAVAILABLE. */
  unavailable: 69,
  /** An answer this client does not understand (another version?): EX_PROTOCOL. */
  protocol: 76,
  /** The key was refused (401/403): EX_NOPERM. */
  noPermission: 77,
} as const;

export interface ClientFailure {
  readonly message: string;
  readonly code: number;
}

/** What to print and exit with for an error a client command can expect; null for a bug. */
export function clientFailure(e: unknown, url: string): ClientFailure | null {
  if (e instanceof DagqApiError) {
    if (e.status === 401 || e.status === 403) {
      return {
        message: `${url} refused the key (${e.status} ${e.error}): pass the function key with --key or DAGQ_KEY (\`dagq host\` prints the one it accepts)`,
        code: ClientExitCode.noPermission,
      };
    }
    if (e.status === 404) return { message: e.error, code: ClientExitCode.notFound };
    if (e.status >= 500) {
      const id = (e.details as { invocationId?: unknown } | undefined)?.invocationId;
      const ref = typeof id === "string" ? ` (invocation ${id}: see the app's log)` : "";
      return {
        message: `dagq at ${url} failed: ${e.status} ${e.error}${ref}`,
        code: ClientExitCode.unavailable,
      };
    }
    return { message: e.error, code: ExitCode.usage };
  }
  if (e instanceof DagqConnectionError) {
    return { message: e.message, code: ClientExitCode.unavailable };
  }
  if (e instanceof DagqResponseError) {
    return {
      message: `${e.message} (is ${url} a dagq API of this version?)`,
      code: ClientExitCode.protocol,
    };
  }
  if (e instanceof DagqError || e instanceof EndpointError) {
    return { message: e.message, code: ExitCode.usage };
  }
  return null;
}
