import { z } from "zod";
import { jsonValue } from "./json.js";

/**
 * The workflow definition file (YAML or JSON), as users write it. Keys are snake_case, as in
 * the seed. Parsed at the edge with these schemas, then compiled once (compile.ts).
 */

export const LIMITS = {
  maxTasks: 100_000,
  maxEdges: 2_000_000,
  maxNameLength: 256,
  maxCommandLength: 16_384,
  maxConditionLength: 4_096,
  maxRetries: 100,
  maxTimeoutS: 7 * 24 * 3600,
  maxBackoffS: 24 * 3600,
  maxEnvEntries: 64,
  maxParallelism: 100_000,
  /** Nesting depth of a task's output (and of anything a message carries). */
  maxOutputDepth: 64,
  maxParams: 64,
  /** The parameters as JSON: they travel in every task message of the workflow. */
  maxParamsBytes: 16 * 1024,
  /** Instances one `map` may expand into. */
  maxMapItems: 10_000,
  /** A map's items as JSON, all together: the expansion is kept in the workflow's state. */
  maxMapBytes: 1024 * 1024,
} as const;

/**
 * Names that mean something to JavaScript objects. A task or env var named `__proto__` would be
 * kept by one JSON path and dropped by another, so run-local and the serverless path could
 * disagree: they are rejected at submit instead.
 */
export const RESERVED_NAMES: readonly string[] = ["__proto__", "constructor", "prototype"];
export const reservedMessage = (what: string) =>
  `${what} must not be __proto__, constructor or prototype (they mean something to JavaScript objects)`;

/** `group/name` paths: letters, digits, `_ . -`, segments joined by `/`. No globs, no spaces. */
export const TASK_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;
/**
 * A logical queue name, or a Service Bus queue `sb://namespace/queue`. A logical name becomes
 * the storage queue `<prefix>-tasks-<name>` and its `-poison` twin, so Azure's queue-name rules
 * (lower case, digits, single dashes, at most 63 characters) cap it at 33 characters. A Service
 * Bus namespace is a name (a letter first, 6-50 letters, digits and dashes) or its host name;
 * a queue is up to 260 letters, digits and `. _ - /`, not starting or ending with `/`.
 */
export const QUEUE_PATTERN =
  /^([a-z0-9](-?[a-z0-9]){0,32}|sb:\/\/[A-Za-z][A-Za-z0-9-]{4,48}[A-Za-z0-9](\.[A-Za-z0-9-]+)*\/[A-Za-z0-9._-]([A-Za-z0-9._/-]{0,258}[A-Za-z0-9._-])?)$/;
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A parameter is read as `params.NAME` in conditions and `DAGQ_PARAM_NAME` in the shell. */
export const PARAM_NAME_PATTERN = ENV_NAME_PATTERN;

/**
 * A task of a run, as workers, routes and reruns name it: a definition's task name, or
 * `name[k]` for the k-th instance of a mapped task (`train[3]`).
 */
export const RunTaskNameSchema = z
  .string()
  .min(1, "task name must not be empty")
  .max(LIMITS.maxNameLength + 7)
  .regex(
    new RegExp(`${TASK_NAME_PATTERN.source.slice(0, -1)}(\\[(0|[1-9][0-9]{0,4})\\])?$`),
    "task names use letters, digits, `_ . -`, and `/` between groups (e.g. train/rf); an instance of a map adds its index (train[3])",
  );

export const TaskNameSchema = z
  .string()
  .min(1, "task name must not be empty")
  .max(LIMITS.maxNameLength)
  .regex(
    TASK_NAME_PATTERN,
    "task names use letters, digits, `_ . -`, and `/` between groups (e.g. train/rf)",
  );

/**
 * When a task with dependencies may run (the README's "Semantics" has the whole rule):
 * - `all`: every parent completed; `any`: one did; N: at least N did. Decided as soon as it can
 *   be, so the task may start while other parents still run.
 * - `all_settled`: every parent has ended and at least one completed.
 * - `always`: every parent has ended, whatever their outcome (cleanup, notification).
 */
export const DEP_POLICIES = ["all", "any", "all_settled", "always"] as const;
export const DepPolicySchema = z.union(
  [
    z.enum(DEP_POLICIES),
    z.int().min(1, "an integer dep_policy is the number of parents that must complete (≥ 1)"),
  ],
  {
    error: `dep_policy is one of ${DEP_POLICIES.map((p) => `"${p}"`).join(", ")} or an integer N ≥ 1 (at least N parents completed)`,
  },
);
export type DepPolicy = z.infer<typeof DepPolicySchema>;

const EnvSchema = z.preprocess(
  // A record schema drops a `__proto__` key without a word, so reserved keys are caught on
  // the raw object, before it.
  (env, ctx) => {
    if (typeof env === "object" && env !== null) {
      for (const key of RESERVED_NAMES.filter((k) => Object.hasOwn(env, k)))
        ctx.addIssue({ code: "custom", path: [key], message: reservedMessage("an env name") });
    }
    return env;
  },
  z
    .record(
      z.string().regex(ENV_NAME_PATTERN, "env names are shell identifiers"),
      z.string().max(4096),
    )
    .refine((env) => Object.keys(env).length <= LIMITS.maxEnvEntries, {
      message: `at most ${LIMITS.maxEnvEntries} env entries`,
    })
    .refine((env) => !Object.keys(env).some((k) => k.startsWith("DAGQ_")), {
      message: "env names starting with DAGQ_ are reserved",
    }),
);

/**
 * The workflow's parameters with their defaults, any JSON each; a submission may override them
 * (params.ts), and the stored definition holds the values it ran with.
 */
export const ParamsSchema = z.preprocess(
  // Names are checked on the raw object: a record schema drops `__proto__` without a word, and
  // its own message for a bad key does not say what a good one is.
  (params, ctx) => {
    if (typeof params === "object" && params !== null && !Array.isArray(params)) {
      for (const key of Object.keys(params)) {
        if (RESERVED_NAMES.includes(key))
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: reservedMessage("a parameter name"),
          });
        else if (!PARAM_NAME_PATTERN.test(key))
          ctx.addIssue({
            code: "custom",
            path: [key],
            message:
              "parameter names are identifiers: letters, digits and _, not starting with a digit",
          });
      }
    }
    return params;
  },
  z
    .record(z.string(), jsonValue(LIMITS.maxOutputDepth))
    .refine((p) => Object.keys(p).length <= LIMITS.maxParams, {
      message: `at most ${LIMITS.maxParams} parameters`,
    }),
);

/** Settings a task may take from the workflow's `defaults`. */
const TaskSettings = {
  num_retries: z.int().min(0).max(LIMITS.maxRetries),
  retry_backoff_s: z.number().min(0).max(LIMITS.maxBackoffS),
  timeout_s: z.number().positive().max(LIMITS.maxTimeoutS),
  queue: z
    .string()
    .regex(
      QUEUE_PATTERN,
      "queue is a name of up to 33 characters (a-z, 0-9, single dashes) or sb://namespace/queue",
    ),
  env: EnvSchema,
  condition_errors: z.enum(["skip", "fail"]),
};

/** What a condition that cannot be evaluated does: skip the task (the seed's rule) or fail it. */
export type ConditionErrors = z.infer<typeof TaskSettings.condition_errors>;

export const TaskDefinitionSchema = z.strictObject({
  name: TaskNameSchema,
  command: z.string().min(1, "command must not be empty").max(LIMITS.maxCommandLength),
  depends_on: z.array(z.string()).default([]),
  dep_policy: DepPolicySchema.default("all"),
  condition: z.string().min(1).max(LIMITS.maxConditionLength).optional(),
  /**
   * An expression of the condition language giving a list: the task runs once per item, as
   * instances `name[0]` ... `name[N-1]` (README, "Dynamic fan-out").
   */
  map: z.string().min(1).max(LIMITS.maxConditionLength).optional(),
  num_retries: TaskSettings.num_retries.optional(),
  retry_backoff_s: TaskSettings.retry_backoff_s.optional(),
  timeout_s: TaskSettings.timeout_s.optional(),
  queue: TaskSettings.queue.optional(),
  env: TaskSettings.env.optional(),
  condition_errors: TaskSettings.condition_errors.optional(),
});
export type TaskDefinition = z.infer<typeof TaskDefinitionSchema>;
export type TaskDefinitionInput = z.input<typeof TaskDefinitionSchema>;

export const DefaultsSchema = z.strictObject({
  num_retries: TaskSettings.num_retries.default(0),
  /** Delay before the first retry; it doubles for each further retry, capped at one hour. */
  retry_backoff_s: TaskSettings.retry_backoff_s.default(1),
  timeout_s: TaskSettings.timeout_s.optional(),
  queue: TaskSettings.queue.default("default"),
  env: TaskSettings.env.default({}),
  condition_errors: TaskSettings.condition_errors.default("skip"),
});
export type Defaults = z.infer<typeof DefaultsSchema>;

export const WorkflowDefinitionSchema = z.strictObject({
  name: z.string().min(1, "workflow name must not be empty").max(200),
  description: z.string().max(4096).optional(),
  /** Values tasks and conditions read, with defaults; overridden at submission. */
  params: ParamsSchema.optional(),
  defaults: DefaultsSchema.default(DefaultsSchema.parse({})),
  /**
   * `sinks`: the workflow completes when every final task completed or was skipped (a failure
   * tolerated by an `any` merge does not fail it). `all_tasks`: any failed task fails it.
   */
  result_policy: z.enum(["sinks", "all_tasks"]).default("sinks"),
  /** At most this many tasks of this workflow dispatched at once (below the deployment's cap). */
  max_parallelism: z.int().min(1).max(LIMITS.maxParallelism).optional(),
  tasks: z
    .array(TaskDefinitionSchema)
    .min(1, "a workflow needs at least one task")
    .max(LIMITS.maxTasks, `a workflow may have at most ${LIMITS.maxTasks} tasks`),
});
export type WorkflowDefinition = z.infer<typeof WorkflowDefinitionSchema>;
/** What a user writes: every defaulted key optional. */
export type WorkflowDefinitionInput = z.input<typeof WorkflowDefinitionSchema>;
