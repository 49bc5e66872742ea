import { z } from "zod";
import { parseNcrontab } from "./ncrontab.js";
import { PREFIX_PATTERN } from "./storage/layout.js";

/**
 * Every app setting dagq reads, validated once and frozen. Nothing else reads process.env.
 * The storage connection follows the Functions convention for a connection named `DagqStorage`,
 * so the queue trigger and the SDK clients share one setting: a connection string in
 * `DagqStorage`, or, with managed identity, `DagqStorage__accountName` (plus
 * `DagqStorage__clientId` for a user-assigned identity).
 */
const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
/**
 * A timer's NCRONTAB schedule: six fields, seconds first, in UTC (WEBSITE_TIME_ZONE aside),
 * checked against the grammar Azure's timer trigger accepts, so a schedule `dagq host` runs can
 * never be one that puts the function into an error state on Azure.
 */
const ncrontab = (fallback: string) =>
  z
    .string()
    .trim()
    .superRefine((text, ctx) => {
      const parsed = parseNcrontab(text);
      if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.error });
    })
    .default(fallback);

export const ConfigSchema = z.object({
  DagqStorage: z.string().min(1).optional(),
  DagqStorage__accountName: z
    .string()
    .regex(/^[a-z0-9]{3,24}$/, "a storage account name")
    .optional(),
  DagqStorage__clientId: z.string().optional(),
  /** Names every container, table and queue of this deployment. */
  DAGQ_PREFIX: z
    .string()
    .regex(PREFIX_PATTERN, "1-16 lower-case letters and digits, starting with a letter")
    .default("dagq"),
  /** Admission control: at most this many running workflows; 0 means no limit. */
  DAGQ_MAX_RUNNING_WORKFLOWS: int(0, 1_000_000, 0),
  /** Flow control: tasks dispatched and not finished, per workflow. */
  DAGQ_MAX_IN_FLIGHT: int(1, 100_000, 1000),
  /** Flow control per task queue: no dispatch into a storage queue this deep; 0 turns it off. */
  DAGQ_MAX_QUEUE_DEPTH: int(0, 10_000_000, 10_000),
  /**
   * The most tasks one task message holds: tasks ready together for one queue travel in packs
   * the size of the smallest live registered worker's concurrency, up to this; 1 turns packs off.
   */
  DAGQ_PACK_TASKS: int(1, 256, 32),
  DAGQ_LEASE_SECONDS: int(15, 60, 15),
  /** A dispatched task that no worker started this long is dispatched again (if its queue is empty). */
  DAGQ_READY_REPAIR_AFTER_S: int(30, 7 * 24 * 3600, 600),
  DAGQ_SWEEP_CONCURRENCY: int(1, 64, 4),
  DAGQ_MAX_REQUEST_BYTES: int(1024, 100 * 1024 * 1024, 8 * 1024 * 1024),
  APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().optional(),
  /**
   * The Service Bus namespaces tasks may name in `queue: sb://...`, comma-separated (names or
   * host names). The app connects to them with its managed identity, so a definition must not
   * choose the host: anything else is refused at submit. Empty: no Service Bus queues.
   */
  DAGQ_SERVICEBUS_NAMESPACES: z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(",")
        .map((n) => n.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^[A-Za-z][A-Za-z0-9-]{4,48}[A-Za-z0-9](\.[A-Za-z0-9-]+)*$/,
            "a Service Bus namespace name (acme) or host name (acme.servicebus.windows.net)",
          ),
      ),
    ),
  /** Timer schedules; the sweeps are idempotent, so a late or doubled tick is harmless. */
  DAGQ_SWEEP_RUNNING_SCHEDULE: ncrontab("*/30 * * * * *"),
  DAGQ_SWEEP_ORPHANS_SCHEDULE: ncrontab("0 */5 * * * *"),
  DAGQ_ADMISSION_SCHEDULE: ncrontab("*/15 * * * * *"),
});

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

export function readConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) throw new Error(`invalid app settings:\n${z.prettifyError(parsed.error)}`);
  const c = parsed.data;
  if (!c.DagqStorage && !c.DagqStorage__accountName) {
    throw new Error(
      "app setting DagqStorage (a connection string) or DagqStorage__accountName (managed identity) is required",
    );
  }
  return Object.freeze(c);
}
