import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { azuriteConnectionString } from "../../src/azure/azurite.js";

/**
 * What `dagq worker` loads before it runs tasks. OpenTelemetry (and its Azure Monitor exporter),
 * the Service Bus SDK, @azure/identity and the other commands' modules (yaml, the client, the
 * renderers) cost a worker hundreds of milliseconds at start (issue 15), and a worker on storage
 * queues with a connection string and no Application Insights setting needs none of them. A
 * resolve hook in the worker's process reports every module of theirs that gets loaded.
 */
const UNWANTED = [
  "@opentelemetry",
  "@azure\\/monitor",
  "@azure\\/service-bus",
  "@azure\\/identity",
  "\\/node_modules\\/yaml\\/",
  "\\/src\\/client\\/",
  "\\/src\\/cli\\/commands\\/(?!workerCommand)",
].join("|");
const HOOK = `export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (/${UNWANTED}/.test(r.url)) process.stderr.write("LOADED " + r.url + "\\n");
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
  it("loads neither OpenTelemetry, Service Bus, identity nor other commands' modules for storage queues", async () => {
    const err = await startWorker([]);
    expect(err).toContain("Ctrl-C stops");
    expect(err.split("\n").filter((l) => l.startsWith("LOADED"))).toEqual([]);
  }, 90_000);
});
