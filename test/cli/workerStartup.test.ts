import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { azuriteConnectionString } from "../../src/azure/azurite.js";

/**
 * What `dagq worker` loads before it runs tasks. OpenTelemetry (and its Azure Monitor exporter)
 * and the Service Bus SDK cost a worker hundreds of milliseconds at start (issue 15), and a
 * worker on storage queues with no Application Insights setting needs neither. A resolve hook
 * in the worker's process reports every module of theirs that gets loaded.
 */
const HOOK = `export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (/@opentelemetry|@azure\\/monitor|@azure\\/service-bus/.test(r.url)) process.stderr.write("LOADED " + r.url + "\\n");
  return r;
}`;
const REGISTER = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOK)}`)});`;

function startWorker(args: readonly string[]): Promise<string> {
  // Nothing listens there: the worker starts anyway (its requests fail and are retried).
  const storage = azuriteConnectionString({ blobPort: 9, queuePort: 9, tablePort: 9 });
  const child = spawn(
    process.execPath,
    [
      "--import",
      `data:text/javascript,${encodeURIComponent(REGISTER)}`,
      "--import",
      "tsx",
      "src/cli/main.ts",
      "worker",
      "--prefix",
      "startup",
      ...args,
    ],
    {
      env: { ...process.env, DagqStorage: storage, APPLICATIONINSIGHTS_CONNECTION_STRING: "" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let err = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no start-up line within 60 s:\n${err}`));
    }, 60_000);
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString("utf8");
      if (/Ctrl-C stops/.test(err)) child.kill("SIGTERM");
    });
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(err);
    });
  });
}

describe("dagq worker's start", () => {
  it("loads neither OpenTelemetry nor the Service Bus SDK for storage queues without Application Insights", async () => {
    const err = await startWorker([]);
    expect(err).toContain("Ctrl-C stops");
    expect(err.split("\n").filter((l) => l.startsWith("LOADED"))).toEqual([]);
  }, 90_000);
});
