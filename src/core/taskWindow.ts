import { nameOrder, taskName } from "./mapState.js";
import { firstAtOrAfter, type TaskView, taskView } from "./query.js";
import type { RunState } from "./runState.js";
import { StateCode, type TaskState } from "./states.js";

/** The orders a task table can ask for; `name` is the compiled order and costs no sort. */
export const TASK_SORTS = [
  "name",
  "status",
  "attempts",
  "started",
  "finished",
  "duration",
] as const;
export type TaskSort = (typeof TASK_SORTS)[number];

export interface TaskWindowQuery {
  readonly prefix?: string;
  readonly status?: readonly TaskState[];
  readonly sort?: TaskSort;
  readonly descending?: boolean;
  /** Rows to skip in this order: a virtualized table jumps anywhere in 100k rows by offset. */
  readonly offset?: number;
  readonly limit: number;
}

export interface TaskWindow {
  readonly tasks: TaskView[];
  /** How many tasks match the prefix and status, whatever the offset and limit. */
  readonly total: number;
}

/**
 * One window of a sorted, filtered task list. The prefix narrows by binary search over the
 * compiled name order; the remaining cost is one pass over the matching tasks (to count them),
 * plus a sort when the order is not by name. Ties are broken by name, so windows never overlap.
 * Times that are not set (0) sort last ascending and first descending, like the largest value.
 */
export function taskWindow(run: RunState, q: TaskWindowQuery): TaskWindow {
  const byName = nameOrder(run);
  const prefix = q.prefix ?? "";
  const wanted = q.status ? new Set(q.status.map((s) => StateCode[s])) : null;
  const offset = q.offset ?? 0;
  const sort = q.sort ?? "name";
  let k = firstAtOrAfter(run, prefix);
  const matching: number[] = [];
  for (; k < byName.length; k++) {
    const i = byName[k]!;
    if (!taskName(run, i).startsWith(prefix)) break;
    if (wanted && !wanted.has(run.status[i] as (typeof StateCode)[TaskState])) continue;
    matching.push(i);
  }
  if (sort !== "name" || q.descending) {
    const rank = new Uint32Array(run.size);
    matching.forEach((i, r) => {
      rank[i] = r;
    });
    const key = sortKey(run, sort);
    const sign = q.descending ? -1 : 1;
    matching.sort((a, b) => sign * (key(a) - key(b) || rank[a]! - rank[b]!));
  }
  return {
    tasks: matching.slice(offset, offset + q.limit).map((i) => taskView(run, i)),
    total: matching.length,
  };
}

function sortKey(run: RunState, sort: TaskSort): (i: number) => number {
  const unset = (t: number) => (t > 0 ? t : Number.MAX_VALUE);
  switch (sort) {
    case "name":
      return () => 0;
    case "status":
      return (i) => run.status[i]!;
    case "attempts":
      return (i) => run.attempt[i]!;
    case "started":
      return (i) => unset(run.startedAt[i]!);
    case "finished":
      return (i) => unset(run.finishedAt[i]!);
    case "duration":
      return (i) => {
        const s = run.startedAt[i]!;
        const f = run.finishedAt[i]!;
        return s > 0 && f >= s ? f - s : Number.MAX_VALUE;
      };
    default:
      return sort satisfies never;
  }
}
