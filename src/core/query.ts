import { compareNames } from "./compile.js";
import type { Json } from "./json.js";
import { nameOrder, taskName } from "./mapState.js";
import type { RunState } from "./runState.js";
import { StateCode, TASK_STATES, type TaskState } from "./states.js";

/** One task as the API, the CLI and `run-local --json` show it. */
export interface TaskView {
  readonly name: string;
  readonly status: TaskState;
  readonly attempts: number;
  readonly output: Json;
  readonly reason: string | null;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
}

export function taskView(run: RunState, i: number): TaskView {
  const s = run.status[i]!;
  return {
    name: taskName(run, i),
    status: TASK_STATES[s]!,
    attempts: attemptsUsed(run, i),
    output: run.outputs.get(i) ?? null,
    reason: run.reasons.get(i) ?? null,
    startedAt: run.startedAt[i] || null,
    finishedAt: run.finishedAt[i] || null,
  };
}

/**
 * Attempts that ran: those before the current one, which counts once it started or finished.
 * (A task that never ran is at attempt 1 with nothing started: 0. After a rerun, the attempts
 * of earlier rounds count. An expanded map never runs itself: 0.)
 */
function attemptsUsed(run: RunState, i: number): number {
  if (run.expansions.has(i)) return 0;
  const s = run.status[i]!;
  // Every applied start and finish sets startedAt; a task failed by a condition error never ran.
  const currentRan = s === StateCode.running || run.startedAt[i]! > 0;
  return run.attempt[i]! - (currentRan ? 0 : 1);
}

export interface TaskQuery {
  /** Only tasks whose name starts with this, e.g. `train/`. */
  readonly prefix?: string;
  readonly status?: readonly TaskState[];
  /** Resume after this task name (names are returned in sorted order). */
  readonly after?: string;
  readonly limit?: number;
}

/**
 * Tasks in name order, filtered by name prefix and status. The prefix narrows by binary search
 * over the compiled name order, so `train/*` in a 100k-task workflow touches only `train/` tasks.
 */
export function queryTasks(
  run: RunState,
  q: TaskQuery = {},
): { tasks: TaskView[]; next: string | null } {
  const byName = nameOrder(run);
  const name = (k: number) => taskName(run, byName[k]!);
  const prefix = q.prefix ?? "";
  const from = q.after !== undefined && q.after >= prefix ? q.after : prefix;
  let k = lowerBound(
    byName.length,
    (m) => compareNames(name(m), from) < 0 || (q.after !== undefined && name(m) === q.after),
  );
  const wanted = q.status ? new Set(q.status.map((s) => StateCode[s])) : null;
  const limit = q.limit ?? Number.POSITIVE_INFINITY;
  const out: TaskView[] = [];
  for (; k < byName.length && name(k).startsWith(prefix); k++) {
    const i = byName[k]!;
    if (wanted && !wanted.has(run.status[i] as (typeof StateCode)[TaskState])) continue;
    if (out.length === limit) return { tasks: out, next: out.at(-1)!.name };
    out.push(taskView(run, i));
  }
  return { tasks: out, next: null };
}

/** Counts by state for each layer (longest distance from a root): the view of a large DAG. */
export function layerCounts(run: RunState): Array<Record<TaskState, number>> {
  const layers: Array<Record<TaskState, number>> = [];
  for (let i = 0; i < run.size; i++) {
    const l = run.def.layer[run.taskOf(i)]!;
    while (layers.length <= l)
      layers.push(Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as Record<TaskState, number>);
    layers[l]![TASK_STATES[run.status[i]!]!]++;
  }
  return layers;
}

/** The first position in the sorted name order (`nameOrder`) whose name is not before `name`. */
export function firstAtOrAfter(run: RunState, name: string): number {
  const byName = nameOrder(run);
  return lowerBound(byName.length, (m) => compareNames(taskName(run, byName[m]!), name) < 0);
}

function lowerBound(n: number, before: (k: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
