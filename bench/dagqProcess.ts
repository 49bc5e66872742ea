/**
 * `dagq host` and `dagq worker` as a user runs them: separate Node processes of the built CLI
 * (dist/cli/main.js), configured only by their environment and flags.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export const CLI = "dist/cli/main.js";
const STOP_TIMEOUT_MS = 20_000;

export interface DagqProcess {
  readonly child: ChildProcess;
  /** performance.now() when it was spawned. */
  readonly spawnedAt: number;
  /** The last lines it wrote to stderr (for error messages). */
  output(): string;
  /** SIGTERM (graceful: running tasks finish, leases are released), SIGKILL after 20 s. */
  stop(): Promise<void>;
}

export interface Host extends DagqProcess {
  /** Base URL without `/api`. */
  readonly url: string;
  readonly key: string;
}

function launch(args: readonly string[], env: Record<string, string>): DagqProcess {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.resume(); // read or not, a pipe must never fill up and block the process
  // BENCH_LOG_DIR=dir keeps each process's output there (investigations), named by pid.
  const keep = process.env.BENCH_LOG_DIR;
  if (keep) {
    const file = createWriteStream(join(keep, `${args[0]}-${child.pid}.log`));
    child.stdout?.pipe(file);
    child.stderr?.pipe(file);
  }
  let tail = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    spawnedAt,
    output: () => tail,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves with the first line of `stream` that matches, or rejects when the process exits. */
function lineMatching(
  p: DagqProcess,
  stream: "stdout" | "stderr",
  pattern: RegExp,
  timeoutMs: number,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const source = p.child[stream];
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${p.output()}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      const m = pattern.exec(buffer);
      if (m) {
        cleanup();
        resolve(m);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`exited (${code}) before ${pattern}:\n${p.output()}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      source?.off("data", onData);
      p.child.off("exit", onExit);
      source?.resume();
    };
    source?.on("data", onData);
    p.child.once("exit", onExit);
  });
}

export interface HostOptions {
  readonly connectionString: string;
  readonly prefix: string;
  readonly key: string;
}

/** `dagq host` on a free port with the repository's host.json; resolves once it listens. */
export async function startHost(opts: HostOptions): Promise<Host> {
  const p = launch(
    ["host", "--port", "0", "--prefix", opts.prefix, "--key", opts.key, "--host-json", "host.json"],
    { DagqStorage: opts.connectionString },
  );
  try {
    const m = await lineMatching(p, "stdout", /dagq host: (http:\/\/\S+)\/api/, 60_000);
    return { ...p, url: m[1]!, key: opts.key };
  } catch (e) {
    await p.stop();
    throw e;
  }
}

export interface WorkerOptions {
  readonly connectionString: string;
  readonly prefix: string;
  readonly concurrency: number;
}

export interface Worker extends DagqProcess {
  /** When its start-up line appeared (performance.now()): modules loaded, polling begun. */
  readonly announcedAt: number;
}

/** `dagq worker` on the default queue; resolves once it says it runs. */
export async function startWorker(opts: WorkerOptions): Promise<Worker> {
  const p = launch(["worker", "--prefix", opts.prefix, "--concurrency", String(opts.concurrency)], {
    DagqStorage: opts.connectionString,
  });
  try {
    await lineMatching(p, "stderr", /dagq worker: .*Ctrl-C stops/, 60_000);
    return { ...p, announcedAt: performance.now() };
  } catch (e) {
    await p.stop();
    throw e;
  }
}

/**
 * The benchmark runs the built CLI, so a build older than the sources would measure old code:
 * refuse it, naming the fix.
 */
export function checkBuild(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const built = statSync(CLI).mtimeMs;
  const newest = newestMtime("src");
  if (newest > built) {
    throw new Error(
      `${CLI} is older than src/: run \`npm run build\` first (the bench runs the build)`,
    );
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}
