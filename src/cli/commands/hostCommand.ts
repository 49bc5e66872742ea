import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError } from "commander";
import type { Config } from "../../config.js";
import { dashboardUrl } from "../../host/dashboardUrl.js";
import type { HostLog } from "../../host/invocationContext.js";
import { PREFIX_PATTERN } from "../../storage/layout.js";
import { commandConfig } from "../commandConfig.js";
import { ExitCode } from "../exitCode.js";
import { hostFailure, storageWhere } from "../hostFailure.js";

export interface HostFlags {
  readonly port: number;
  readonly prefix?: string;
  readonly key?: string;
  readonly hostJson?: string;
  readonly messageHold?: number;
  readonly verbose: boolean;
}

/** `dagq host`: the Function App's functions in this process, without `func`. */
export function hostCommand(): Command {
  return new Command("host")
    .description(
      "run the Function App's functions locally (HTTP API, queue triggers, timers) over the storage in DagqStorage",
    )
    .option("-p, --port <n>", "HTTP port (0: any free port)", port, 7071)
    .option("--prefix <prefix>", "deployment prefix (overrides DAGQ_PREFIX)", prefix)
    .option("--key <key>", "the function key clients must send (default: a new random one)")
    .option("--host-json <file>", "host.json to read (default: ./host.json, else the package's)")
    .option(
      "--message-hold <seconds>",
      "how long a received queue message stays hidden, renewed at half while it runs (default 600, as on Azure; shorter brings a dead host's messages back sooner)",
      seconds,
    )
    .option("-v, --verbose", "also print debug lines", false)
    .action(async (flags: HostFlags) => {
      process.exitCode = await runHost(flags);
    });
}

/**
 * Reads the app settings from the environment, starts the local host, prints where it listens
 * and the key it accepts, and runs until SIGINT/SIGTERM: the first stops it gracefully (running
 * handlers finish, leases are released), a second exits at once.
 */
export async function runHost(flags: HostFlags): Promise<ExitCode> {
  const base = commandConfig("host");
  if (!base) return ExitCode.usage;
  const config: Config = Object.freeze({ ...base, DAGQ_PREFIX: flags.prefix ?? base.DAGQ_PREFIX });
  const key = flags.key ?? randomBytes(24).toString("base64url");
  const log: HostLog = (level, message) => {
    if (level !== "debug" || flags.verbose) process.stderr.write(`${level.padEnd(5)} ${message}\n`);
  };
  // Loaded here, not at the top: the Azure SDKs it pulls in would slow every other command.
  const { startLocalHost } = await import("../../host/localHost.js");
  log("info", `connecting to storage at ${storageWhere(config)}`);
  let host: Awaited<ReturnType<typeof startLocalHost>>;
  try {
    host = await startLocalHost({
      config,
      hostJson: flags.hostJson ?? defaultHostJson(),
      keys: { function: [key] },
      port: flags.port,
      ...(flags.messageHold !== undefined ? { queueHoldMs: flags.messageHold * 1000 } : {}),
      log,
    });
  } catch (e) {
    const failure = hostFailure(e, { port: flags.port, storage: storageWhere(config) });
    if (!failure) throw e;
    process.stderr.write(`dagq: host: ${failure.message}\n`);
    return failure.code;
  }
  process.stdout.write(
    `dagq host: ${host.url}/api (prefix ${config.DAGQ_PREFIX})\n` +
      `function key: ${key}\n` +
      "send it as the x-functions-key header or the code query parameter; Ctrl-C stops\n" +
      `dashboard: ${dashboardUrl(host.url, key)}\n`,
  );
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.once(signal, () => process.exit(ExitCode.interrupted));
      log("info", `${signal}: stopping (send it again to exit at once)`);
      resolve();
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
  await host.stop();
  return ExitCode.ok;
}

export function defaultHostJson(): string {
  if (existsSync("host.json")) return "host.json";
  return fileURLToPath(new URL("../../../host.json", import.meta.url));
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError("expected a port from 0 to 65535");
  }
  return n;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 7 * 24 * 3600) {
    throw new InvalidArgumentError("expected whole seconds from 1 to 604800");
  }
  return n;
}

function prefix(value: string): string {
  if (!PREFIX_PATTERN.test(value)) {
    throw new InvalidArgumentError("1-16 lower-case letters and digits, starting with a letter");
  }
  return value;
}
