import { randomUUID } from "node:crypto";
import { format } from "node:util";
import functions, { type InvocationContext, type LogLevel } from "@azure/functions";

/** Where the local host's lines go: the CLI prints them, tests collect them. */
export type HostLog = (level: "debug" | "info" | "warn" | "error", message: string) => void;

/**
 * The context a handler gets from the local host, as the Functions host would build it: an
 * invocation id, the function's name, trigger metadata, and `context.log/warn/error` routed to
 * the host's log with the function's name in front.
 */
export function invocationContext(
  functionName: string,
  log: HostLog,
  triggerMetadata: Record<string, unknown> = {},
): InvocationContext {
  return new functions.InvocationContext({
    invocationId: randomUUID(),
    functionName,
    triggerMetadata,
    logHandler: (level: LogLevel, ...args: unknown[]) => {
      const level2 = hostLevel(level);
      if (level2) log(level2, `[${functionName}] ${format(...args)}`);
    },
  });
}

function hostLevel(level: LogLevel): Parameters<HostLog>[0] | null {
  switch (level) {
    case "trace":
    case "debug":
      return "debug";
    case "information":
      return "info";
    case "warning":
      return "warn";
    case "error":
    case "critical":
      return "error";
    case "none":
      return null;
    default:
      return level satisfies never;
  }
}
