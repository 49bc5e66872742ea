import { randomBytes } from "node:crypto";
import { type Azurite, startAzurite } from "../azure/azurite.js";
import { connectStorage } from "../azure/connect.js";
import { readConfig } from "../config.js";
import type { CompiledWorkflow, Summary } from "../core/index.js";
import { StatsTelemetry } from "../engine/telemetry.js";
import type { HostSettings } from "../host/hostJson.js";
import { startLocalHost } from "../host/localHost.js";
import type { LocalResult, LocalTaskResult } from "../local/localResult.js";
import { type RunningWorker, startWorker } from "../worker/startWorker.js";

export interface DevOptions {
  readonly workers: number;
  /** Tasks each worker runs at once. */
  readonly concurrency: number;
  readonly hostJson: HostSettings;
  readonly onProgress?: (summary: Summary) => void;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
  /** Poll interval for the workflow's status. */
  readonly pollMs?: number;
}

/**
 * `dagq dev`: the whole serverless path on this machine. Starts Azurite (in memory, loopback,
 * free ports), the local functions host over it, and `workers` workers; submits the workflow
 * through the HTTP API as a client would; follows it until it ends; returns the same result
 * object as `run-local`, then stops everything it started.
 */
export async function devRun(def: CompiledWorkflow, opts: DevOptions): Promise<LocalResult> {
  const log = opts.log ?? (() => {});
  const stack: Array<() => Promise<void>> = [];
  try {
    const azurite: Azurite = await startAzurite();
    stack.push(() => azurite.stop());
    log(`azurite: ${azurite.connectionString.replace(/AccountKey=[^;]+/, "AccountKey=…")}`);
    const prefix = "dev";
    const key = randomBytes(18).toString("base64url");
    const config = readConfig({ DagqStorage: azurite.connectionString, DAGQ_PREFIX: prefix });
    const host = await startLocalHost({
      config,
      hostJson: opts.hostJson,
      keys: { function: [key] },
      statsEveryMs: 0,
      log: (level, message) => {
        if (level === "warn" || level === "error") log(`host ${level}: ${message}`);
      },
    });
    stack.push(() => host.stop());
    log(`functions host: ${host.url}/api`);
    const storage = connectStorage({
      connectionString: azurite.connectionString,
      container: `${prefix}-workflows`,
    });
    const workers: RunningWorker[] = [];
    for (let k = 0; k < opts.workers; k++) {
      const telemetry = new StatsTelemetry((level, message) => {
        if (level !== "debug" && level !== "info") log(`worker ${k + 1} ${level}: ${message}`);
      });
      workers.push(
        startWorker({
          storage,
          prefix,
          queue: "default",
          concurrency: opts.concurrency,
          pollMaxMs: 200,
          signalPollMs: 1000,
          shutdownGraceMs: 2000,
          id: `dev-worker-${k + 1}`,
          telemetry,
        }),
      );
    }
    stack.push(async () => void (await Promise.all(workers.map((w) => w.stop()))));
    log(`${opts.workers} worker(s), ${opts.concurrency} task(s) at once each`);
    return await follow(`${host.url}/api`, key, def, opts);
  } finally {
    for (const stop of stack.reverse()) await stop().catch(() => {});
  }
}

async function follow(
  api: string,
  key: string,
  def: CompiledWorkflow,
  opts: DevOptions,
): Promise<LocalResult> {
  const headers = { "x-functions-key": key, "content-type": "application/json" };
  const call = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const r = await fetch(`${api}${path}`, { ...init, headers });
    const body = (await r.json()) as T & { error?: string };
    if (!r.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${r.status} ${body.error ?? ""}`);
    return body;
  };
  const { id } = await call<{ id: string }>("/workflows", {
    method: "POST",
    body: JSON.stringify(def.definition),
  });
  let cancelled = false;
  for (;;) {
    if (opts.signal?.aborted && !cancelled) {
      cancelled = true;
      await call(`/workflows/${id}/cancel`, {
        method: "POST",
        body: JSON.stringify({ reason: String(opts.signal.reason ?? "interrupted") }),
      });
    }
    const s = await call<Summary>(`/workflows/${id}?detail=true`);
    opts.onProgress?.(s);
    if (s.status === "completed" || s.status === "failed" || s.status === "cancelled") break;
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 300));
  }
  const status = await call<Summary>(`/workflows/${id}?detail=true`);
  const byName = new Map<string, LocalTaskResult>();
  let after: string | null = null;
  do {
    const page: {
      tasks: Array<{ name: string } & LocalTaskResult & { reason: string | null }>;
      next: string | null;
    } = await call(
      `/workflows/${id}/tasks?limit=5000${after ? `&after=${encodeURIComponent(after)}` : ""}`,
    );
    for (const t of page.tasks)
      byName.set(t.name, {
        status: t.status,
        attempts: t.attempts,
        output: t.output,
        ...(t.reason === null ? {} : { reason: t.reason }),
      });
    after = page.next;
  } while (after !== null);
  // Definition order, as run-local prints it.
  const tasks = Object.fromEntries(def.tasks.map((t) => [t.name, byName.get(t.name)!]));
  return { id, status: status.status as LocalResult["status"], tasks };
}
