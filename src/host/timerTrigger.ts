import type { Timer, TimerHandler } from "@azure/functions";
import type { Cron } from "croner";
import { ncrontabSchedule } from "../ncrontab.js";
import { silentTelemetry, type Telemetry } from "../observability/telemetry.js";
import { withFunctionTimeout } from "./functionTimeout.js";
import { type HostLog, invocationContext } from "./invocationContext.js";

export interface TimerTriggerOptions {
  readonly name: string;
  /**
   * NCRONTAB: six fields, seconds first, evaluated in UTC like the Functions host's default,
   * with Azure's grammar and rules (src/ncrontab.ts); an invalid one throws at construction.
   */
  readonly schedule: string;
  readonly handler: TimerHandler;
  /** host.json's functionTimeout: a run past it is abandoned and counts as failed. */
  readonly functionTimeoutMs?: number;
  readonly log: HostLog;
  readonly stats?: Telemetry;
}

/** A tick this much after its due time counts as past due. */
const PAST_DUE_MS = 1000;
/** setTimeout's limit is 2^31 ms; a yearly schedule waits in steps. */
const MAX_SLEEP_MS = 3_600_000;

/**
 * A timer trigger on an NCRONTAB schedule. Like the Functions host's, one run at a time: the next
 * occurrence is computed when a run ends, so occurrences that pass during a long run are skipped
 * rather than queued, and a throwing run is logged and does not stop later ticks.
 */
export class TimerTrigger {
  private readonly cron: Cron;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private last: Date | null = null;

  constructor(private readonly opts: TimerTriggerOptions) {
    // Only computes occurrences; the waiting is ours, so stop() is exact.
    this.cron = ncrontabSchedule(opts.schedule);
  }

  start(): void {
    if (!this.stopped && this.timer === null && this.running === null) this.scheduleNext();
  }

  /** Cancels the next tick and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private scheduleNext(): void {
    const due = this.cron.nextRun(new Date());
    if (due === null || this.stopped) return;
    this.sleepUntil(due);
  }

  private sleepUntil(due: Date): void {
    const wait = due.getTime() - Date.now();
    this.timer = setTimeout(
      () => {
        this.timer = null;
        if (due.getTime() - Date.now() > 0) return this.sleepUntil(due);
        this.running = this.fire(due).finally(() => {
          this.running = null;
          this.scheduleNext();
        });
      },
      Math.max(0, Math.min(wait, MAX_SLEEP_MS)),
    );
  }

  private async fire(due: Date): Promise<void> {
    const { name, handler, log } = this.opts;
    const stats = this.opts.stats ?? silentTelemetry;
    const now = new Date();
    const timer: Timer = {
      isPastDue: now.getTime() - due.getTime() > PAST_DUE_MS,
      schedule: { adjustForDST: false },
      scheduleStatus: {
        last: (this.last ?? due).toISOString(),
        next: (this.cron.nextRun(due) ?? due).toISOString(),
        lastUpdated: now.toISOString(),
      },
    };
    this.last = due;
    try {
      await withFunctionTimeout(async () => handler(timer, invocationContext(name, log)), {
        name,
        timeoutMs: this.opts.functionTimeoutMs ?? Number.POSITIVE_INFINITY,
        log,
      });
      stats.count("host.timer.runs");
    } catch (e) {
      stats.count("host.timer.failures");
      log("error", `[${name}] failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }
}
