/**
 * Starts the Azurite storage emulator (the npm package) as a child process on loopback: by
 * default on three free ports, with its data in a folder of its own that stop() removes. Used
 * by the test harness, the benchmarks and `dagq dev`.
 *
 * Not Azurite's in-memory mode: there every queue message is an extent of its own, and the
 * queue service's garbage collector, every 60 s, removes the extents of deleted messages one at
 * a time, re-sorting a lokijs index for each. After a busy minute that blocks the emulator's
 * only thread for 20–45 s (measured in full test runs: 33 and 44 s), and every client times out.
 * On disk, messages share extent files, and the same test runs saw no pause over 2 s.
 *
 * The child watches its stdin: when this process dies without calling stop(), the pipe closes
 * and Azurite exits too, so a killed test run leaves no emulator listening behind it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";

/** The well-known public key of Azurite's dev account (documented by Microsoft, not a secret). */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 20_000;
/**
 * How long a stop waits before SIGKILL. On disk it must outlast the services' final save, which
 * on a loaded 2-core machine took over 5 s: killed before it, Azurite lost writes it had
 * acknowledged, and a chaos run read a workflow's state from seconds before the restart.
 */
const STOP_TIMEOUT_MS = 60_000;
/** What each of Azurite's three services prints once it has closed (and saved its data). */
const CLOSED_LINE = /service successfully closed/;
/** Exits the child when its stdin pipe closes (the parent died); preloaded before Azurite. */
const PARENT_WATCH =
  'data:text/javascript,process.stdin.on("end",()=>process.exit(0));process.stdin.resume();';

export interface Azurite {
  readonly connectionString: string;
  readonly blobPort: number;
  readonly queuePort: number;
  readonly tablePort: number;
  /** The folder its data is in (a temporary one, removed by stop(), unless one was given). */
  readonly location: string;
  stop(): Promise<void>;
}

export function azuriteConnectionString(ports: {
  blobPort: number;
  queuePort: number;
  tablePort: number;
}): string {
  const url = (port: number) => `http://${HOST}:${port}/${AZURITE_ACCOUNT}`;
  return [
    "DefaultEndpointsProtocol=http",
    `AccountName=${AZURITE_ACCOUNT}`,
    `AccountKey=${AZURITE_KEY}`,
    `BlobEndpoint=${url(ports.blobPort)}`,
    `QueueEndpoint=${url(ports.queuePort)}`,
    `TableEndpoint=${url(ports.tablePort)}`,
  ].join(";");
}

export interface AzuriteOptions {
  /** Fixed ports (10000–10002 serve `UseDevelopmentStorage=true`); free ones when absent. */
  readonly ports?: { readonly blob: number; readonly queue: number; readonly table: number };
  /** Keep the data in this folder; in a temporary one, removed at stop, when absent. */
  readonly location?: string;
}

/** Starts Azurite; on free ports, retries with new ones if one was taken before Azurite bound it. */
export async function startAzurite(opts: AzuriteOptions = {}): Promise<Azurite> {
  const main = azuriteMain();
  const attempts = opts.ports ? 1 : 3;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await startOnce(main, opts);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startOnce(main: string, opts: AzuriteOptions): Promise<Azurite> {
  const [blobPort, queuePort, tablePort] = opts.ports
    ? [opts.ports.blob, opts.ports.queue, opts.ports.table]
    : await freePorts(3);
  if (blobPort === undefined || queuePort === undefined || tablePort === undefined) {
    throw new Error("could not find free ports");
  }
  // A folder of its own, so it never touches the caller's working directory; its data too
  // unless the caller keeps that elsewhere.
  const cwd = await mkdtemp(join(tmpdir(), "dagq-azurite-"));
  const storage = ["--location", opts.location ?? cwd];
  // biome-ignore format: an option and its value per line
  const args = [
    `--import=${PARENT_WATCH}`, main, ...storage,
    "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry",
    "--blobHost", HOST, "--blobPort", String(blobPort),
    "--queueHost", HOST, "--queuePort", String(queuePort),
    "--tableHost", HOST, "--tablePort", String(tablePort),
  ];
  // Its own process group: a Ctrl-C at the terminal goes to the foreground group, and the
  // emulator must outlive it until the caller has cancelled its workflow and stops it.
  const child = spawn(process.execPath, args, {
    cwd,
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-4000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let closedServices = 0;
  if (child.stdout)
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (CLOSED_LINE.test(line)) closedServices++;
    });
  let exitedEarly = false;
  const exited = new Promise<never>((_, reject) => {
    child.once("exit", (code, signal) => {
      exitedEarly = true;
      reject(new Error(`azurite exited early (${code ?? signal}): ${output.trim()}`));
    });
  });
  exited.catch(() => {}); // observed below; keep an exit after startup from being unhandled
  const stop = opts.location
    ? () => stopChild(child, cwd, () => closedServices >= 3)
    : () => stopChild(child, cwd);
  try {
    const ready = [blobPort, queuePort, tablePort].map((p) => waitForPort(p, () => exitedEarly));
    await Promise.race([Promise.all(ready), exited]);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    connectionString: azuriteConnectionString({ blobPort, queuePort, tablePort }),
    blobPort,
    queuePort,
    tablePort,
    location: opts.location ?? cwd,
    stop,
  };
}

/**
 * Azurite is an optional peer dependency, not a dependency: it is a development tool of
 * ~100 MB that neither the Function App, the client nor a worker needs. Told how to add it.
 */
export const AZURITE_MISSING =
  "the Azurite storage emulator is not installed: add it with `npm install --save-dev azurite` in your project (or `npm install azurite` next to dagq), then run the command again";

/** Where Azurite's entry point is: installed next to dagq, or in the current project. */
export function azuriteMain(
  requires: readonly NodeJS.Require[] = [
    createRequire(import.meta.url),
    createRequire(join(process.cwd(), "package.json")),
  ],
): string {
  for (const require of requires) {
    let pkgPath: string;
    try {
      pkgPath = require.resolve("azurite/package.json");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND") continue;
      throw e;
    }
    const pkg = require(pkgPath) as { bin?: Record<string, string> };
    return join(dirname(pkgPath), pkg.bin?.azurite ?? "dist/src/azurite.js");
  }
  throw new Error(AZURITE_MISSING);
}

/** Ports the OS hands out for port 0, all held open together so they are distinct. */
async function freePorts(n: number): Promise<number[]> {
  const servers = Array.from({ length: n }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once("error", reject);
            server.listen(0, HOST, () => {
              const address = server.address();
              if (address && typeof address === "object") resolve(address.port);
              else reject(new Error("no port"));
            });
          }),
      ),
    );
  } finally {
    await Promise.all(
      servers.map(
        (s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve())),
      ),
    );
  }
}

/** Polls until the port accepts connections; stops early once `gaveUp()` says so. */
async function waitForPort(port: number, gaveUp: () => boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !gaveUp()) {
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`azurite did not listen on ${HOST}:${port} within ${READY_TIMEOUT_MS} ms`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * With throwaway data, closing stdin makes the parent watch exit the child at once: there is
 * nothing to keep, and Azurite's own SIGTERM shutdown waits for keep-alive sockets (seconds).
 *
 * On disk, Azurite keeps its metadata (blob and queue indexes, messages, table rows) in LokiJS
 * databases that it saves every 5 s and when a service closes: an exit without SIGTERM loses
 * up to 5 s of acknowledged writes. So it gets SIGTERM, and once its three services say they
 * closed (their databases saved) it is killed rather than left waiting for idle sockets.
 */
async function stopChild(
  child: ChildProcess,
  cwd: string,
  servicesClosed?: () => boolean,
): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    let poll: NodeJS.Timeout | undefined;
    if (servicesClosed) {
      child.kill("SIGTERM");
      poll = setInterval(() => {
        if (servicesClosed()) child.kill("SIGKILL");
      }, 20);
    } else child.stdin?.end();
    await gone;
    clearTimeout(timer);
    clearInterval(poll);
  }
  await rm(cwd, { recursive: true, force: true });
}
