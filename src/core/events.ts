import type { Changes } from "./changes.js";
import type { Json } from "./json.js";

/** What happened, as reported by workers, sweeps and operators. Tasks are compiled indices. */
export type Event =
  | {
      readonly kind: "started";
      readonly task: number;
      readonly attempt: number;
      readonly at?: number;
    }
  | {
      readonly kind: "completed";
      readonly task: number;
      readonly attempt: number;
      readonly output?: Json;
      readonly at?: number;
    }
  | {
      readonly kind: "failed";
      readonly task: number;
      readonly attempt: number;
      readonly error: string;
      readonly at?: number;
    }
  | { readonly kind: "cancel"; readonly reason?: string }
  | { readonly kind: "admit" }
  | ({ readonly kind: "rerun" } & RerunRequest);

/**
 * Which tasks a rerun resets (rerun.ts has the rule). Tasks named one by one and a name prefix
 * add up; with neither, every failed, upstream_failed and cancelled task is chosen.
 */
export interface RerunRequest {
  readonly tasks?: readonly number[];
  readonly prefix?: string;
  /** Of the chosen tasks, only those that failed, are upstream_failed or were cancelled. */
  readonly failed?: boolean;
  /** Also reset the descendants that completed (they run again, with fresh outputs). */
  readonly downstream?: boolean;
  /**
   * When a cancelled workflow reopens: the earliest its reset tasks are dispatched, after the
   * event. Workers cache a workflow's "cancelled" signal for a moment, and one that read it just
   * before the rerun would drop a new attempt's message; the delay outlasts that cache.
   */
  readonly reopenDelayMs?: number;
}

/** What the caller must do next. */
export type Command =
  | {
      readonly kind: "dispatch";
      readonly task: number;
      readonly attempt: number;
      readonly delayMs: number;
    }
  | { readonly kind: "kill"; readonly task: number; readonly attempt: number }
  /** A cancelled workflow runs again (a rerun): its cancellation signal must be withdrawn. */
  | { readonly kind: "reopen" }
  | { readonly kind: "finish"; readonly status: "completed" | "failed" | "cancelled" };

/**
 * What a transition may do besides applying its events. Everything is data: the caller
 * measures the world (queue depths, fetched outputs) before the call, and the transition says
 * what it used, so the reducer stays a pure function of its inputs.
 */
export interface ApplyOptions {
  /** Flow control: at most this many tasks dispatched and not yet terminal. */
  readonly maxInFlight?: number;
  /**
   * False: dispatch no ready task in this transition (submit records the state first and
   * dispatches in the first cycle; a repair-only sweep). Ready-repair still re-dispatches.
   */
  readonly dispatchReady?: boolean;
  /**
   * Flow control per queue (the definition's queue names): at most this many dispatches into
   * each listed queue; a queue that is not listed is not capped. Tasks whose queue is full
   * wait, first in line, for a later transition. `Transition.roomUsed` says what was used.
   */
  readonly queueRoom?: ReadonlyMap<string, number>;
  /**
   * Outputs fetched for this transition, by task: the serverless path stores large outputs as
   * references to blobs and fetches the ones a condition may read (`outputsConditionsRead`).
   */
  readonly resolvedOutputs?: ReadonlyMap<number, Json>;
  /** Ready-repair in the same transition: re-dispatch tasks dispatched this long ago, never started. */
  readonly repairAfterMs?: number;
  /** Limits ready-repair to these queues (e.g. those holding no message); absent: every queue. */
  readonly repairableQueues?: ReadonlySet<string>;
  /** Decide pending tasks that their parents already decide (see `reconcile`) before the events. */
  readonly reconcile?: boolean;
}

export interface Transition {
  readonly commands: Command[];
  /** The changed task and workflow records: persist it to make the transition durable. */
  readonly delta: Changes;
  /** Events that changed nothing (duplicates, stale attempts), with why: for logs and metrics. */
  readonly ignored: Array<{ readonly event: Event; readonly why: string }>;
  /** Tasks ready-repair dispatched again. */
  readonly repaired: number;
  /** Dispatches made into each queue listed in `ApplyOptions.queueRoom`. */
  readonly roomUsed: ReadonlyMap<string, number>;
  /** Ready tasks left waiting because their queue had no room left (first in line). */
  readonly held: number;
}
