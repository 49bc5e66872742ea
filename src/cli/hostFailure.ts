import { ExitCode } from "./exitCode.js";

/** Errno codes that mean nothing answered at an address. */
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/**
 * What `dagq host` (and `dagq dev`) say when they cannot start for a reason outside dagq: a
 * port in use, storage that does not answer. One line that says what to do, instead of a
 * stack trace and "internal error"; null for anything else (a bug: main's handler prints it).
 */
export function hostFailure(
  e: unknown,
  ctx: { readonly port: number; readonly storage: string },
): { readonly message: string; readonly code: ExitCode } | null {
  const code = errnoOf(e);
  if (code === "EADDRINUSE")
    return {
      message: `port ${ctx.port} is in use: stop what listens there, or choose another with --port N (0: any free port)`,
      code: ExitCode.unavailable,
    };
  if (code === "EACCES" && errorText(e).includes("listen"))
    return {
      message: `port ${ctx.port} needs privileges to listen on: choose another with --port N`,
      code: ExitCode.unavailable,
    };
  if (code !== undefined && UNREACHABLE.has(code))
    return {
      message: `cannot reach storage at ${ctx.storage} (${code}): is Azurite running? \`npx azurite --location .azurite --silent\` starts one on the default ports (on disk: in memory its queue GC freezes it under load); otherwise check DagqStorage`,
      code: ExitCode.unavailable,
    };
  return null;
}

/** Where the settings point storage: the blob endpoint, else the account. */
export function storageWhere(settings: {
  readonly DagqStorage?: string | undefined;
  readonly DagqStorage__accountName?: string | undefined;
}): string {
  if (settings.DagqStorage) {
    if (/UseDevelopmentStorage=true/i.test(settings.DagqStorage)) return "http://127.0.0.1:10000";
    const blob = /(?:^|;)BlobEndpoint=([^;]+)/i.exec(settings.DagqStorage)?.[1];
    if (blob) return blob;
    const account = /(?:^|;)AccountName=([^;]+)/i.exec(settings.DagqStorage)?.[1];
    if (account) return `account ${account}`;
  }
  if (settings.DagqStorage__accountName) return `account ${settings.DagqStorage__accountName}`;
  return "the configured storage";
}

/** The errno code of an error or of any error in its cause chain (the SDKs wrap them). */
function errnoOf(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    const c = cur as { code?: unknown; cause?: unknown; errors?: unknown[] };
    if (typeof c.code === "string" && /^E[A-Z]+$/.test(c.code)) return c.code;
    if (Array.isArray(c.errors) && c.errors.length > 0) cur = c.errors[0];
    else cur = c.cause;
  }
  return undefined;
}

function errorText(e: unknown): string {
  return e instanceof Error
    ? `${e.message} ${(e as { syscall?: string }).syscall ?? ""}`
    : String(e);
}
