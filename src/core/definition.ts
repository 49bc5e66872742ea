import { z } from "zod";

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
} as const;

/** `group/name` paths: letters, digits, `_ . -`, segments joined by `/`. No globs, no spaces. */
export const TASK_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;
/** A storage-queue-safe logical queue name, or a Service Bus queue `sb://namespace/queue`. */
export const QUEUE_PATTERN =
  /^([a-z0-9](-?[a-z0-9]){0,39}|sb:\/\/[A-Za-z0-9.-]+\/[A-Za-z0-9._/-]+)$/;
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const TaskNameSchema = z
  .string()
  .min(1, "task name must not be empty")
  .max(LIMITS.maxNameLength)
  .regex(
    TASK_NAME_PATTERN,
    "task names use letters, digits, `_ . -`, and `/` between groups (e.g. train/rf)",
  );

export const DepPolicySchema = z.union([
  z.literal("all"),
  z.literal("any"),
  z.int().min(1, "an integer dep_policy is the number of parents that must complete (≥ 1)"),
]);
export type DepPolicy = z.infer<typeof DepPolicySchema>;

const EnvSchema = z
  .record(
    z.string().regex(ENV_NAME_PATTERN, "env names are shell identifiers"),
    z.string().max(4096),
  )
  .refine((env) => Object.keys(env).length <= LIMITS.maxEnvEntries, {
    message: `at most ${LIMITS.maxEnvEntries} env entries`,
  })
  .refine((env) => !Object.keys(env).some((k) => k.startsWith("DAGQ_")), {
    message: "env names starting with DAGQ_ are reserved",
  });

/** Settings a task may take from the workflow's `defaults`. */
const TaskSettings = {
  num_retries: z.int().min(0).max(LIMITS.maxRetries),
  retry_backoff_s: z.number().min(0).max(LIMITS.maxBackoffS),
  timeout_s: z.number().positive().max(LIMITS.maxTimeoutS),
  queue: z
    .string()
    .regex(QUEUE_PATTERN, "queue is a lowercase name (a-z, 0-9, -) or sb://namespace/queue"),
  env: EnvSchema,
};

export const TaskDefinitionSchema = z.strictObject({
  name: TaskNameSchema,
  command: z.string().min(1, "command must not be empty").max(LIMITS.maxCommandLength),
  depends_on: z.array(z.string()).default([]),
  dep_policy: DepPolicySchema.default("all"),
  condition: z.string().min(1).max(LIMITS.maxConditionLength).optional(),
  num_retries: TaskSettings.num_retries.optional(),
  retry_backoff_s: TaskSettings.retry_backoff_s.optional(),
  timeout_s: TaskSettings.timeout_s.optional(),
  queue: TaskSettings.queue.optional(),
  env: TaskSettings.env.optional(),
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
});
export type Defaults = z.infer<typeof DefaultsSchema>;

export const WorkflowDefinitionSchema = z.strictObject({
  name: z.string().min(1, "workflow name must not be empty").max(200),
  description: z.string().max(4096).optional(),
  defaults: DefaultsSchema.default(DefaultsSchema.parse({})),
  tasks: z
    .array(TaskDefinitionSchema)
    .min(1, "a workflow needs at least one task")
    .max(LIMITS.maxTasks, `a workflow may have at most ${LIMITS.maxTasks} tasks`),
});
export type WorkflowDefinition = z.infer<typeof WorkflowDefinitionSchema>;
/** What a user writes: every defaulted key optional. */
export type WorkflowDefinitionInput = z.input<typeof WorkflowDefinitionSchema>;
