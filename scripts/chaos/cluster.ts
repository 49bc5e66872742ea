/**
 * The processes a chaos run kills: Azurite on disk (so a restart keeps the data), one
 * `dagq host` and several `dagq worker`s, each the built CLI in a process of its own. Every
 * process's stderr goes to a file in the run's folder, named after it, for a post-mortem.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { type Azurite, startAzurite } from "../../src/azure/azurite.js";

export interface ClusterOptions {
  /** The run's folder: Azurite's data and the processes' logs. */
  readonly dir: string;
  /** The built CLI: dist/cli/main.js. */
  readonly cli: string;
  readonly hostJson: string;
  readonly prefix: string;
  readonly key: string;
  readonly workers: number;
  readonly workerConcurrency: number;
  /** `dagq host --message-hold`: how soon a dead host's messages come back. */
  readonly messageHoldS: number;
  /** `dagq worker --visibility`: how soon a dead worker's tasks come back. */
  readonly visibilityS: number;
  /** App settings for the host beyond the storage connection (lease, sweep schedules). */
  readonly hostSettings: Readonly<Record<string, string>>;
  /** Variables the workers pass on to their tasks (`--pass-env`), with their values. */
  readonly taskEnv: Readonly<Record<string, string>>;
}

const HOST_READY_MS = 30_000;
const STOP_GRACE_MS = 5_000;

export class Cluster {
  private hostProcess: ChildProcess | null = null;
  private readonly workerProcesses: ChildProcess[] = [];
  private started = 0;
  private stopped = false;

  private constructor(
    private readonly opts: ClusterOptions,
    private azurite: Azurite,
    private port = 0,
  ) {}

  static async start(opts: ClusterOptions): Promise<Cluster> {
    const azurite = await startAzurite({ location: join(opts.dir, "azurite") });
    const cluster = new Cluster(opts, azurite);
    try {
      await cluster.startHost();
      for (let i = 0; i < opts.workers; i++) cluster.workerProcesses.push(cluster.spawnWorker());
    } catch (e) {
      await cluster.stop();
      throw e;
    }
    return cluster;
  }

  /** The host's base URL; the same after every restart (the port is kept). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get connectionString(): string {
    return this.azurite.connectionString;
  }

  /** SIGKILL, then a new host on the same port. */
  async killHost(): Promise<void> {
    if (this.hostProcess) await killNow(this.hostProcess);
    await this.startHost();
  }

  /** SIGKILL one worker, then a new one in its place. */
  async killWorker(index: number): Promise<void> {
    const i = index % this.workerProcesses.length;
    await killNow(this.workerProcesses[i]!);
    this.workerProcesses[i] = this.spawnWorker();
  }

  /**
   * Stops Azurite and starts it again on the same ports and folder after `downMs`. The stop is
   * SIGTERM, as a storage service restarts: Azurite on disk saves its metadata only every 5 s
   * and on close, so a SIGKILL would lose writes it acknowledged, which Azure Storage never
   * does and no dagq design could survive.
   */
  async restartStorage(downMs: number): Promise<void> {
    const { blobPort, queuePort, tablePort } = this.azurite;
    await this.azurite.stop();
    await new Promise((r) => setTimeout(r, downMs));
    this.azurite = await startAzurite({
      location: join(this.opts.dir, "azurite"),
      ports: { blob: blobPort, queue: queuePort, table: tablePort },
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const all = [...this.workerProcesses, ...(this.hostProcess ? [this.hostProcess] : [])];
    await Promise.all(all.map((p) => stopGracefully(p)));
    await this.azurite.stop();
  }

  private async startHost(): Promise<void> {
    const child = this.spawnCli(
      "host",
      [
        "host",
        ...["--port", String(this.port)],
        ...["--prefix", this.opts.prefix],
        ...["--key", this.opts.key],
        ...["--host-json", this.opts.hostJson],
        ...["--message-hold", String(this.opts.messageHoldS)],
      ],
      this.opts.hostSettings,
    );
    this.hostProcess = child;
    this.port = await listeningPort(child);
  }

  private spawnWorker(): ChildProcess {
    const passEnv = Object.keys(this.opts.taskEnv).flatMap((name) => ["--pass-env", name]);
    const child = this.spawnCli(
      "worker",
      [
        "worker",
        ...["--prefix", this.opts.prefix],
        ...["--concurrency", String(this.opts.workerConcurrency)],
        ...["--visibility", String(this.opts.visibilityS)],
        ...passEnv,
      ],
      this.opts.taskEnv,
    );
    child.stdout?.resume();
    return child;
  }

  private spawnCli(role: string, args: string[], env: Readonly<Record<string, string>>) {
    this.started++;
    const stderr = openSync(join(this.opts.dir, `${role}-${this.started}.log`), "a");
    try {
      return spawn(process.execPath, [this.opts.cli, ...args], {
        env: { ...process.env, ...env, DagqStorage: this.azurite.connectionString },
        stdio: ["ignore", "pipe", stderr],
      });
    } finally {
      closeSync(stderr); // the child holds its own descriptor
    }
  }
}

/** The port from the host's first line, `dagq host: http://127.0.0.1:PORT/api (...)`. */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(
      () => fail(new Error("dagq host did not start in time")),
      HOST_READY_MS,
    );
    const onExit = (code: number | null) => fail(new Error(`dagq host exited (${code}) at start`));
    const fail = (e: Error) => {
      clearTimeout(timer);
      lines.close();
      reject(e);
    };
    child.once("exit", onExit);
    lines.on("line", (line) => {
      const m = /^dagq host: http:\/\/[^:]+:(\d+)\//.exec(line);
      if (!m) return;
      clearTimeout(timer);
      child.off("exit", onExit);
      child.stdout?.resume(); // the rest of its output is not needed, but must not block it
      resolve(Number(m[1]));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function killNow(child: ChildProcess): Promise<void> {
  child.kill("SIGKILL");
  await exited(child);
}

async function stopGracefully(child: ChildProcess): Promise<void> {
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
  await exited(child);
  clearTimeout(timer);
}
