/**
 * The API's response bodies as zod schemas: the client validates every response, so a server of
 * another version (or a proxy's error page) fails with a clear client error instead of
 * undefined fields deep in the caller. Objects are not strict: a newer server may add fields.
 * Counts default missing states to 0 for the same reason.
 */
import { z } from "zod";
import { jsonValue, LIMITS, TASK_STATES, WORKFLOW_STATES } from "../core/index.js";

const count = z.int().min(0);
/** Epoch milliseconds. */
const time = z.number();

function countsOf<const K extends readonly string[]>(keys: K) {
  const shape = {} as Record<K[number], z.ZodDefault<z.ZodInt>>;
  for (const k of keys as readonly K[number][]) shape[k] = count.default(0);
  return z.object(shape);
}

export const TaskCountsSchema = countsOf(TASK_STATES);
export type TaskCounts = z.infer<typeof TaskCountsSchema>;

export const WorkflowCountsSchema = countsOf(WORKFLOW_STATES);
export type WorkflowCounts = z.infer<typeof WorkflowCountsSchema>;

export const WorkflowStatusSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(WORKFLOW_STATES),
  reason: z.string().nullable(),
  total: count,
  counts: TaskCountsSchema,
  /** Of the skipped tasks, those whose condition could not be evaluated (not a false one). */
  conditionErrors: count.default(0),
  createdAt: time,
  startedAt: time.nullable(),
  finishedAt: time.nullable(),
  updatedAt: time,
  /** Counts by state per layer (distance from a root); only with `detail`. */
  layers: z.array(TaskCountsSchema).optional(),
});
export type WorkflowStatus = z.infer<typeof WorkflowStatusSchema>;

export const SubmittedSchema = z.object({
  id: z.string(),
  /** `pending` or `running` when new; as it is now when an id named an existing workflow. */
  status: z.enum(WORKFLOW_STATES),
  tasks: count,
  url: z.string(),
});
export type Submitted = z.infer<typeof SubmittedSchema>;

export const WorkflowPageSchema = z.object({
  workflows: z.array(WorkflowStatusSchema),
  next: z.string().nullable(),
});
export type WorkflowPage = z.infer<typeof WorkflowPageSchema>;

export const TaskViewSchema = z.object({
  name: z.string(),
  status: z.enum(TASK_STATES),
  attempts: count,
  output: jsonValue(LIMITS.maxOutputDepth),
  reason: z.string().nullable(),
  startedAt: time.nullable(),
  finishedAt: time.nullable(),
});
export type TaskView = z.infer<typeof TaskViewSchema>;

export const TaskOutputSchema = z.object({
  task: z.string(),
  status: z.enum(TASK_STATES),
  /** The value, fetched by the server from its blob when the worker spilled it. */
  output: jsonValue(LIMITS.maxOutputDepth),
  /** The size of a spilled output, or null when it was kept inline. */
  spilledBytes: count.nullable(),
});
export type TaskOutput = z.infer<typeof TaskOutputSchema>;

export const TaskPageSchema = z.object({
  tasks: z.array(TaskViewSchema),
  next: z.string().nullable(),
});
export type TaskPage = z.infer<typeof TaskPageSchema>;

export const CancelResultSchema = z.object({
  id: z.string(),
  /** `parked`: the instance holding the workflow's lease applies it within a moment. */
  cancel: z.enum(["applied", "parked"]),
});
export type CancelResult = z.infer<typeof CancelResultSchema>;

export const RerunResultSchema = z.object({
  id: z.string(),
  /** `parked`: the instance holding the workflow's lease applies it within a moment. */
  rerun: z.enum(["applied", "parked"]),
  /** How many tasks the rerun resets. */
  tasks: count,
});
export type RerunResult = z.infer<typeof RerunResultSchema>;

export const PurgeProgressSchema = z.object({
  job: z.string(),
  scope: z.enum(["terminal", "all"]),
  purged: count,
  done: z.boolean(),
  /** With drain_queues, once done: whether the queues were emptied (never while work runs). */
  drained: z.boolean().optional(),
});
export type PurgeProgress = z.infer<typeof PurgeProgressSchema>;

export const PurgeStartedSchema = PurgeProgressSchema.extend({ url: z.string() });
export type PurgeStarted = z.infer<typeof PurgeStartedSchema>;

export const OverviewSchema = z.object({
  workflows: WorkflowCountsSchema,
  /** Task counts summed over the running workflows. */
  runningTasks: TaskCountsSchema,
});
export type Overview = z.infer<typeof OverviewSchema>;

const VerdictSchema = z.enum(["ok", "warn", "fail"]);
export type Verdict = z.infer<typeof VerdictSchema>;

export const DoctorReportSchema = z.object({
  verdict: VerdictSchema,
  checks: z.array(z.object({ name: z.string(), verdict: VerdictSchema, detail: z.string() })),
  queues: z.array(z.object({ name: z.string(), depth: count })),
  stuck: z.array(z.object({ id: z.string(), why: z.string() })),
  staleTasks: z.array(z.object({ id: z.string(), task: z.string(), runningForS: z.number() })),
});
export type DoctorReport = z.infer<typeof DoctorReportSchema>;

/** Every error the API sends: `{ error, details? }`. */
export const ErrorBodySchema = z.object({ error: z.string(), details: z.unknown().optional() });

/** One problem in a request, as 400 answers list them in `details.issues`. */
export const IssueSchema = z.object({
  path: z.string(),
  message: z.string(),
  /** A definition error's stable code (`UNKNOWN_TASK`, `CYCLE`, ...); absent for query errors. */
  code: z.string().optional(),
});
export type Issue = z.infer<typeof IssueSchema>;

/** A piece of one attempt's log (GET workflows/{id}/tasks/{task}/logs). */
export const TaskLogSchema = z.object({
  task: z.string(),
  status: z.enum(TASK_STATES),
  attempt: z.int().min(1),
  /** The task's current attempt (0: never dispatched). */
  attempts: count,
  /** False when the attempt has no log: it printed nothing (or has not started). */
  exists: z.boolean(),
  offset: count,
  next: count,
  /** Lines `<ISO time> <O|E|-> <text>`: stdout, stderr, or a note of dagq's. */
  text: z.string(),
  /** The attempt has ended and this piece reaches the log's end: nothing more will come. */
  complete: z.boolean(),
});
export type TaskLog = z.infer<typeof TaskLogSchema>;

/** One worker in the registry (GET workers). */
export const WorkerViewSchema = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.int(),
  queues: z.array(z.string()),
  concurrency: count,
  running: count,
  version: z.string(),
  startedAt: time,
  lastSeen: time,
  heartbeatS: z.number(),
  /** 0 while it runs; when it stopped cleanly. */
  stoppedAt: time,
  /** Heartbeating, and not stopped. */
  live: z.boolean(),
});
export type WorkerView = z.infer<typeof WorkerViewSchema>;

export const WorkerListSchema = z.object({ workers: z.array(WorkerViewSchema) });
export type WorkerList = z.infer<typeof WorkerListSchema>;
