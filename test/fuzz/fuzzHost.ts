/**
 * A `dagq host` process over the run's Azurite for the fuzz suites (a process of its own, so
 * that a crash is the host's and shows as one), with a deployment prefix of its own, a small
 * request limit (so over-limit bodies stay cheap), and failed queue messages retried after half
 * a second, three times, so a batch that keeps failing ends within seconds. And a bystander:
 * a workflow no fuzz case may touch, read in full before and after.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { expect } from "vitest";
import { azuriteConnectionString } from "../support/azurite.js";
import { uniquePrefix } from "../support/testHost.js";

export const KEY = "fuzz-function-key";
export const MAX_REQUEST_BYTES = 64 * 1024;
export const withKey = { "x-functions-key": KEY };

export interface FuzzHost {
  readonly api: string;
  readonly prefix: string;
  /** The host's stderr, last 8 KiB, for failure messages. */
  log(): string;
  /** Why the host process ended, if it did. */
  exited(): string | null;
  stop(): Promise<void>;
}

export async function startFuzzHost(letter: string): Promise<FuzzHost> {
  const prefix = uniquePrefix(letter);
  const dir = mkdtempSync(join(tmpdir(), "dagq-fuzz-"));
  const hostJson = join(dir, "host.json");
  writeFileSync(
    hostJson,
    JSON.stringify({
      version: "2.0",
      functionTimeout: "00:01:00",
      extensions: {
        queues: {
          messageEncoding: "none",
          batchSize: 16,
          maxPollingInterval: "00:00:00.200",
          visibilityTimeout: "00:00:00.500",
          maxDequeueCount: 3,
        },
      },
    }),
  );
  const child = spawn(
    process.execPath,
    [
      ...["--import", "tsx", "src/cli/main.ts", "host"],
      ...["--port", "0", "--prefix", prefix, "--key", KEY, "--host-json", hostJson],
      ...["--message-hold", "30"],
    ],
    {
      env: {
        ...process.env,
        DagqStorage: azuriteConnectionString(),
        DAGQ_MAX_REQUEST_BYTES: String(MAX_REQUEST_BYTES),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr = (stderr + c.toString("utf8")).slice(-8192);
  });
  let exit: string | null = null;
  child.once("exit", (code, signal) => {
    exit = `exited with ${code ?? signal}`;
  });
  const url = await hostUrl(child, () => stderr);
  return {
    api: `${url}/api`,
    prefix,
    log: () => stderr,
    exited: () => exit,
    stop: () => stop(child),
  };
}

function hostUrl(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`dagq host did not start: ${stderr()}`)),
      30_000,
    );
    child.once("exit", () => reject(new Error(`dagq host exited at start: ${stderr()}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const m = /^dagq host: (http:\/\/\S+)\/api/.exec(line);
      if (!m) return;
      clearTimeout(timer);
      resolve(m[1]!);
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await gone;
  clearTimeout(timer);
}

export async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { headers: withKey, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export async function submit(api: string, definition: unknown): Promise<string> {
  const res = await fetch(`${api}/workflows`, {
    method: "POST",
    headers: { ...withKey, "content-type": "application/json" },
    body: JSON.stringify(definition),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/**
 * Everything the API shows of a workflow: status, tasks, graph, each task in full; without
 * `updatedAt`, which a status read from the state sets to the time of the read.
 */
export async function everything(api: string, id: string, tasks: readonly string[]) {
  const base = `${api}/workflows/${id}`;
  const reads = [
    `${base}?detail=true`,
    `${base}/tasks`,
    `${base}/graph`,
    ...tasks.map((t) => `${base}/tasks/${encodeURIComponent(t)}`),
  ];
  const answers = await Promise.all(reads.map(async (url) => ({ url, ...(await getJson(url)) })));
  return JSON.parse(JSON.stringify(answers, (k, v) => (k === "updatedAt" ? undefined : v)));
}

/** The bystander: a root that may retry (so it can have a history) and a pending child. */
export const BYSTANDER = {
  name: "bystander",
  tasks: [
    { name: "keep/a", command: "true", num_retries: 2 },
    { name: "keep/b", command: "true", depends_on: ["keep/a"] },
  ],
};
export const BYSTANDER_TASKS = BYSTANDER.tasks.map((t) => t.name);
