import { readFile } from "node:fs/promises";
import { z } from "zod";
import { toError } from "../toError.js";

/**
 * The part of host.json the local host honours, validated, with the Functions defaults for
 * what is absent. Everything else in the file (logging, extensionBundle, ...) is the Azure
 * host's business and passes through unread.
 */
const TimeSpan = z
  .string()
  .regex(/^(\d+\.)?\d{1,2}:\d{2}:\d{2}(\.\d{1,7})?$/, 'a TimeSpan "[d.]hh:mm:ss[.fff]"')
  .transform(timeSpanMs);

const QueuesSchema = z.looseObject({
  batchSize: z.int().min(1).max(32).default(16),
  newBatchThreshold: z.int().min(0).optional(),
  maxPollingInterval: TimeSpan.default(60_000),
  visibilityTimeout: TimeSpan.default(0),
  maxDequeueCount: z.int().min(1).default(5),
  // The host parses the setting case-insensitively ("None" and "none" alike).
  messageEncoding: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(["base64", "none"]))
    .default("base64"),
});

export const HostJsonSchema = z.looseObject({
  version: z.literal("2.0"),
  functionTimeout: TimeSpan.optional(),
  extensions: z
    .looseObject({
      queues: QueuesSchema.prefault({}),
      http: z.looseObject({ routePrefix: z.string().default("api") }).prefault({}),
    })
    .prefault({}),
});

export interface QueueSettings {
  readonly batchSize: number;
  readonly newBatchThreshold: number;
  readonly maxPollingIntervalMs: number;
  readonly visibilityTimeoutMs: number;
  readonly maxDequeueCount: number;
  readonly messageEncoding: "base64" | "none";
}

export interface HostSettings {
  readonly queues: QueueSettings;
  readonly routePrefix: string;
  /** How long one invocation may run; also how long a received message stays hidden. */
  readonly functionTimeoutMs: number;
}

/** The Consumption plan's default, used when host.json sets none. */
const DEFAULT_FUNCTION_TIMEOUT_MS = 5 * 60_000;

export function hostSettings(json: unknown): HostSettings {
  const parsed = HostJsonSchema.safeParse(json);
  if (!parsed.success) throw new Error(`invalid host.json:\n${z.prettifyError(parsed.error)}`);
  const { queues: q, http } = parsed.data.extensions;
  return {
    queues: {
      batchSize: q.batchSize,
      // The Functions default is half a batch: the next batch is fetched while half is still busy.
      newBatchThreshold: q.newBatchThreshold ?? Math.floor(q.batchSize / 2),
      maxPollingIntervalMs: q.maxPollingInterval,
      visibilityTimeoutMs: q.visibilityTimeout,
      maxDequeueCount: q.maxDequeueCount,
      messageEncoding: q.messageEncoding,
    },
    routePrefix: http.routePrefix.replace(/^\/+|\/+$/g, ""),
    functionTimeoutMs: parsed.data.functionTimeout ?? DEFAULT_FUNCTION_TIMEOUT_MS,
  };
}

export async function readHostJson(path: string): Promise<HostSettings> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    throw new Error(`cannot read ${path}: ${toError(e).message}`);
  }
  return hostSettings(json);
}

/** `[d.]hh:mm:ss[.fffffff]` in milliseconds. */
export function timeSpanMs(text: string): number {
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(text);
  if (!m) throw new Error(`not a TimeSpan: "${text}"`);
  const [, d = "0", h = "0", min = "0", s = "0", frac = "0"] = m;
  const seconds = Number(d) * 86_400 + Number(h) * 3600 + Number(min) * 60 + Number(s);
  return seconds * 1000 + Math.round(Number(`0.${frac}`) * 1000);
}
