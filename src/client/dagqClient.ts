import type { z } from "zod";
import type { Json, WorkflowDefinitionInput } from "../core/index.js";
import { DagqResponseError } from "./errors.js";
import { type Answer, type Call, HttpTransport, type TransportOptions } from "./httpTransport.js";
import type {
  Abortable,
  FollowOptions,
  ListQuery,
  LogQuery,
  TaskQuery,
  WaitOptions,
} from "./queries.js";
import {
  type CancelResult,
  CancelResultSchema,
  type DoctorReport,
  DoctorReportSchema,
  type Overview,
  OverviewSchema,
  type PurgeProgress,
  PurgeProgressSchema,
  type PurgeStarted,
  PurgeStartedSchema,
  type RerunResult,
  RerunResultSchema,
  type Submitted,
  SubmittedSchema,
  type TaskLog,
  TaskLogSchema,
  type TaskOutput,
  TaskOutputSchema,
  type TaskPage,
  TaskPageSchema,
  type TaskView,
  type WorkerList,
  WorkerListSchema,
  type WorkflowPage,
  WorkflowPageSchema,
  type WorkflowStatus,
  WorkflowStatusSchema,
} from "./schemas.js";

export type DagqClientOptions = TransportOptions;

/** A submission's id (making it idempotent) and parameter values. */
export interface SubmitOptions {
  readonly id?: string;
  readonly params?: Readonly<Record<string, Json>>;
}

/** What `rerun` runs again; nothing chosen means every task that did not succeed. */
export interface RerunOptions {
  readonly tasks?: readonly string[];
  readonly prefix?: string;
  readonly failed?: boolean;
  readonly downstream?: boolean;
}

/**
 * A typed client for dagq's HTTP API (docs/functions.md). Every response is validated; failures
 * are DagqApiError (the API said no), DagqConnectionError (nothing answered) or
 * DagqResponseError (an answer this client does not understand).
 */
export class DagqClient {
  private readonly http: HttpTransport;

  constructor(opts: DagqClientOptions) {
    this.http = new HttpTransport(opts);
  }

  /** The base URL this client talks to, as given (without a trailing slash). */
  get url(): string {
    return this.http.url;
  }

  /**
   * Submits a definition: an object, or YAML (or JSON) text, which the server parses. With an
   * `id` of the caller's choosing the submission is idempotent (retried like a GET): the same id
   * and definition give one workflow, answered as it is; another definition under it is a 409.
   * `params` override the definition's parameter defaults.
   */
  submit(
    definition: WorkflowDefinitionInput | string,
    opts: SubmitOptions = {},
  ): Promise<Submitted> {
    if (opts.id === undefined && opts.params === undefined) {
      const body =
        typeof definition === "string"
          ? { text: definition, contentType: "application/yaml" }
          : { text: JSON.stringify(definition), contentType: "application/json" };
      return this.call({ method: "POST", path: "workflows", body }, SubmittedSchema);
    }
    const envelope = {
      definition,
      ...(opts.id !== undefined ? { id: opts.id } : {}),
      ...(opts.params !== undefined ? { params: opts.params } : {}),
    };
    const body = { text: JSON.stringify(envelope), contentType: "application/json" };
    return this.call(
      { method: "POST", path: "workflows", body, idempotent: opts.id !== undefined },
      SubmittedSchema,
    );
  }

  /** From the index (≤ 2 s behind); `detail` reads the state itself and adds per-layer counts. */
  status(
    id: string,
    opts: { readonly detail?: boolean } & Abortable = {},
  ): Promise<WorkflowStatus> {
    const query = opts.detail === undefined ? {} : { detail: String(opts.detail) };
    return this.call(
      { method: "GET", path: `workflows/${seg(id)}`, query, ...signalOf(opts) },
      WorkflowStatusSchema,
    );
  }

  /**
   * Polls a workflow's status until it is completed, failed or cancelled, and returns that
   * final status; `onProgress` sees every read. Rejects when `timeoutMs` passes or `signal`
   * aborts. Each poll is one cheap index read on the server.
   */
  async waitFor(id: string, opts: WaitOptions = {}): Promise<WorkflowStatus> {
    const deadline =
      opts.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + opts.timeoutMs;
    for (;;) {
      const s = await this.status(id, signalOf(opts));
      opts.onProgress?.(s);
      if (s.status === "completed" || s.status === "failed" || s.status === "cancelled") return s;
      if (Date.now() >= deadline)
        throw new Error(`workflow ${id} is still ${s.status} after ${opts.timeoutMs} ms`);
      await sleep(
        Math.min(opts.intervalMs ?? 1000, Math.max(deadline - Date.now(), 0)),
        opts.signal,
      );
    }
  }

  /** One page of workflows, newest first. */
  list(q: ListQuery = {}): Promise<WorkflowPage> {
    const query = { status: q.status, limit: num(q.limit), cursor: q.cursor };
    return this.call({ method: "GET", path: "workflows", query }, WorkflowPageSchema);
  }

  /** Every workflow, newest first, fetching pages of `pageSize` as the loop goes. */
  async *listAll(
    q: Omit<ListQuery, "cursor" | "limit"> & { readonly pageSize?: number } = {},
  ): AsyncGenerator<WorkflowStatus, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.list({
        ...(q.status ? { status: q.status } : {}),
        ...(q.pageSize ? { limit: q.pageSize } : {}),
        ...(cursor ? { cursor } : {}),
      });
      yield* page.workflows;
      cursor = page.next ?? undefined;
    } while (cursor);
  }

  /** One page of a workflow's tasks, in name order. */
  tasks(id: string, q: TaskQuery = {}): Promise<TaskPage> {
    const query = {
      prefix: q.prefix,
      status: q.status?.join(","),
      after: q.after,
      limit: num(q.limit),
    };
    return this.call({ method: "GET", path: `workflows/${seg(id)}/tasks`, query }, TaskPageSchema);
  }

  /** One task with its output; a spilled output is fetched from its blob by the server. */
  output(id: string, task: string): Promise<TaskOutput> {
    return this.call(
      { method: "GET", path: `workflows/${seg(id)}/tasks/${seg(task)}/output` },
      TaskOutputSchema,
    );
  }

  /** A piece of one attempt's log from a byte offset (its stdout and stderr, with timestamps). */
  log(id: string, task: string, q: LogQuery = {}): Promise<TaskLog> {
    const query = { attempt: num(q.attempt), offset: num(q.offset) };
    return this.call(
      {
        method: "GET",
        path: `workflows/${seg(id)}/tasks/${seg(task)}/logs`,
        query,
        ...signalOf(q),
      },
      TaskLogSchema,
    );
  }

  /**
   * An attempt's log as it grows: yields each new piece until the attempt has ended and its log
   * was read to the end. The attempt is fixed by the first read (the current one by default), so
   * a retry does not switch logs in the middle.
   */
  async *followLog(
    id: string,
    task: string,
    opts: FollowOptions = {},
  ): AsyncGenerator<TaskLog, void, undefined> {
    let offset = opts.offset ?? 0;
    let attempt = opts.attempt;
    for (;;) {
      const piece = await this.log(id, task, {
        offset,
        ...(attempt === undefined ? {} : { attempt }),
        ...signalOf(opts),
      });
      attempt = piece.attempt;
      offset = piece.next;
      yield piece;
      if (piece.complete) return;
      if (piece.text === "") await sleep(opts.intervalMs ?? 1000, opts.signal);
    }
  }

  /** The worker registry: workers seen in the last hour, live or lost. */
  workers(opts: Abortable = {}): Promise<WorkerList> {
    return this.call({ method: "GET", path: "workers", ...signalOf(opts) }, WorkerListSchema);
  }

  /** Every matching task, in name order, fetching pages of `pageSize` as the loop goes. */
  async *tasksAll(
    id: string,
    q: Omit<TaskQuery, "limit"> & { readonly pageSize?: number } = {},
  ): AsyncGenerator<TaskView, void, undefined> {
    const { pageSize, ...filter } = q;
    let after = filter.after;
    do {
      const page = await this.tasks(id, {
        ...filter,
        ...(after !== undefined ? { after } : {}),
        ...(pageSize ? { limit: pageSize } : {}),
      });
      yield* page.tasks;
      after = page.next ?? undefined;
    } while (after !== undefined);
  }

  /** Workflows by state, and the task counts of the running ones. */
  summary(): Promise<Overview> {
    return this.call({ method: "GET", path: "summary" }, OverviewSchema);
  }

  cancel(id: string, reason?: string): Promise<CancelResult> {
    const body = {
      text: JSON.stringify(reason ? { reason } : {}),
      contentType: "application/json",
    };
    return this.call(
      { method: "POST", path: `workflows/${seg(id)}/cancel`, body },
      CancelResultSchema,
    );
  }

  /**
   * Runs chosen tasks again, with their descendants that did not complete (all of them with
   * `downstream`); by default every failed, upstream_failed and cancelled task. A 409 when
   * there is nothing to rerun.
   */
  rerun(id: string, opts: RerunOptions = {}): Promise<RerunResult> {
    const payload = {
      ...(opts.tasks && opts.tasks.length > 0 ? { tasks: opts.tasks } : {}),
      ...(opts.prefix ? { prefix: opts.prefix } : {}),
      ...(opts.failed ? { failed: true } : {}),
      ...(opts.downstream ? { downstream: true } : {}),
    };
    const body = { text: JSON.stringify(payload), contentType: "application/json" };
    return this.call(
      { method: "POST", path: `workflows/${seg(id)}/rerun`, body },
      RerunResultSchema,
    );
  }

  /** Deletes one workflow, running or not (a 404 when there is none). */
  async delete(id: string): Promise<void> {
    await this.http.call({ method: "DELETE", path: `workflows/${seg(id)}` });
  }

  /** Starts a purge job; follow it with purgeStatus(job). */
  purge(opts: {
    readonly scope: "terminal" | "all";
    readonly drainQueues?: boolean;
  }): Promise<PurgeStarted> {
    const payload = { scope: opts.scope, ...(opts.drainQueues ? { drain_queues: true } : {}) };
    const body = { text: JSON.stringify(payload), contentType: "application/json" };
    return this.call({ method: "POST", path: "purge", body }, PurgeStartedSchema);
  }

  purgeStatus(job: string, opts: Abortable = {}): Promise<PurgeProgress> {
    return this.call(
      { method: "GET", path: `purge/${seg(job)}`, ...signalOf(opts) },
      PurgeProgressSchema,
    );
  }

  /** The doctor's report; a `fail` verdict comes back as a report too (the API's 503). */
  health(): Promise<DoctorReport> {
    return this.call({ method: "GET", path: "health", alsoOk: [503] }, DoctorReportSchema);
  }

  private async call<S extends z.ZodType>(c: Call, schema: S): Promise<z.output<S>> {
    const answer: Answer = await this.http.call(c);
    const parsed = schema.safeParse(answer.json);
    if (parsed.success) return parsed.data;
    const where = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join(".") || "body"}: ${i.message}`)
      .join("; ");
    throw new DagqResponseError(`${c.method} /api/${c.path}`, answer.status, where);
  }
}

function seg(s: string): string {
  return encodeURIComponent(s);
}

function signalOf(opts: Abortable): { signal?: AbortSignal } {
  return opts.signal ? { signal: opts.signal } : {};
}

function num(n: number | undefined): string | undefined {
  return n === undefined ? undefined : String(n);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
