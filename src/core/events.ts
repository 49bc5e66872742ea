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
  | { readonly kind: "admit" };

/** What the caller must do next. */
export type Command =
  | {
      readonly kind: "dispatch";
      readonly task: number;
      readonly attempt: number;
      readonly delayMs: number;
    }
  | { readonly kind: "kill"; readonly task: number; readonly attempt: number }
  | { readonly kind: "finish"; readonly status: "completed" | "failed" | "cancelled" };

export interface ApplyOptions {
  /** Flow control: at most this many tasks dispatched and not yet terminal. */
  readonly maxInFlight?: number;
  /**
   * Maps a stored output to the value a condition reads. The serverless path stores large
   * outputs as references to blobs and fetches the ones a condition needs before applying.
   */
  readonly resolveOutput?: (task: number, stored: Json) => Json;
  /** Ready-repair in the same transition: re-dispatch tasks dispatched this long ago, never started. */
  readonly repairAfterMs?: number;
  /** Limits ready-repair to some tasks (e.g. those whose queue is empty, so no message waits). */
  readonly repairable?: (task: number) => boolean;
  /**
   * Flow control per queue: a ready task is dispatched only if this allows it (e.g. its queue is
   * not too deep); otherwise it waits, first in line, for a later transition.
   */
  readonly canDispatch?: (task: number) => boolean;
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
}
