import { Command } from "commander";
import { DagqClient } from "../../client/index.js";
import { clientFailure } from "../clientFailure.js";
import { DEFAULT_URL, type EndpointFlags, resolveEndpoint } from "../endpoint.js";
import { safeJson } from "../render/safeText.js";

/** A command that talks to the API: it takes `--url` and `--key`. */
export function clientCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .option("--url <url>", `dagq's base URL (env DAGQ_URL; default ${DEFAULT_URL})`)
    .option("--key <key>", "the function key (env DAGQ_KEY)");
}

/**
 * Runs a client command's body and sets the exit code: the body's, or the one its expected
 * failure maps to (printed as one `dagq: ...` line on stderr). Anything else is a bug and goes
 * on to main's handler.
 */
export async function runWithClient(
  flags: EndpointFlags,
  body: (client: DagqClient) => Promise<number>,
): Promise<void> {
  let url = flags.url ?? "";
  try {
    const endpoint = resolveEndpoint(flags);
    url = endpoint.url;
    process.exitCode = await body(new DagqClient(endpoint));
  } catch (e) {
    const failure = clientFailure(e, url);
    if (!failure) throw e;
    process.stderr.write(`dagq: ${failure.message}\n`);
    process.exitCode = failure.code;
  }
}

/** A value for `--json`: the document on stdout, nothing else there. */
export function printJson(value: unknown): void {
  process.stdout.write(`${safeJson(value, 2)}\n`);
}
