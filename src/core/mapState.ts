import type { TaskSpec } from "./compile.js";
import { compareNames } from "./compile.js";
import type { Json } from "./json.js";
import type { RunState } from "./runState.js";

/**
 * Tasks as the state holds them, instances of mapped tasks included: names, specs and lookups
 * that work for every task index, where `run.def` knows only the compiled tasks. An instance of
 * `train` is named `train[k]` and runs with `train`'s spec.
 */

/** A task's name: the compiled name, or `name[k]` for the k-th instance of a mapped task. */
export function taskName(run: RunState, i: number): string {
  const t = run.taskOf(i);
  const name = run.def.tasks[t]!.name;
  return t === i ? name : `${name}[${i - run.expansions.get(t)!.first}]`;
}

/** What a task runs with: its own spec, or its mapped task's for an instance. */
export function taskSpec(run: RunState, i: number): TaskSpec {
  return run.def.tasks[run.taskOf(i)]!;
}

/** An instance's place in its map and its item (DAGQ_MAP_INDEX, DAGQ_MAP_ITEM); else undefined. */
export function mapItem(run: RunState, i: number): { index: number; item: Json } | undefined {
  const t = run.taskOf(i);
  if (t === i) return undefined;
  const exp = run.expansions.get(t)!;
  return { index: i - exp.first, item: exp.items[i - exp.first]! };
}

const INSTANCE = /^(.+)\[(0|[1-9][0-9]{0,5})\]$/;

/** The task of that name, instances included (`train[3]`), or undefined. */
export function findTask(run: RunState, name: string): number | undefined {
  const i = run.def.index.get(name);
  if (i !== undefined) return i;
  const m = INSTANCE.exec(name);
  if (!m) return undefined;
  const head = run.def.index.get(m[1]!);
  const exp = head === undefined ? undefined : run.expansions.get(head);
  const k = Number(m[2]);
  return exp && k < exp.items.length ? exp.first + k : undefined;
}

/** The instances of an expanded map, as [first, end); an empty range for any other task. */
export function instancesOf(run: RunState, i: number): readonly [number, number] {
  const exp = run.expansions.get(i);
  return exp ? [exp.first, exp.first + exp.items.length] : [0, 0];
}

/**
 * Calls `fn` with each dependency of task `c` as the rules count them: an expanded map's
 * instances in its place, one by one, in their order. An instance has its mapped task's.
 */
export function forEachParent(run: RunState, c: number, fn: (p: number) => void): void {
  const { parentStart, parents } = run.def;
  const t = run.taskOf(c);
  for (let k = parentStart[t]!; k < parentStart[t + 1]!; k++) {
    const p = parents[k]!;
    const exp = run.expansions.get(p);
    if (!exp) fn(p);
    else for (let j = exp.first; j < exp.first + exp.items.length; j++) fn(j);
  }
}

/** Calls `fn` with each task that depends on task `p` (an instance's are its mapped task's). */
export function forEachChild(run: RunState, p: number, fn: (c: number) => void): void {
  const { childStart, children } = run.def;
  const t = run.taskOf(p);
  for (let k = childStart[t]!; k < childStart[t + 1]!; k++) fn(children[k]!);
}

const orders = new WeakMap<RunState, { generation: number; order: Uint32Array }>();

/**
 * Every task index sorted by name, instances included: the compiled order (`def.byName`) as it
 * is until a map expands, then that order merged with the instances' names, built once per
 * expansion and kept. Prefix queries binary-search it.
 */
export function nameOrder(run: RunState): Uint32Array {
  if (run.expansions.size === 0) return run.def.byName;
  const cached = orders.get(run);
  if (cached?.generation === run.generation) return cached.order;
  const n = run.def.size;
  const names = new Map<number, string>();
  const instances: number[] = [];
  for (let j = n; j < run.size; j++) {
    instances.push(j);
    names.set(j, taskName(run, j));
  }
  instances.sort((a, b) => compareNames(names.get(a)!, names.get(b)!));
  const { byName, tasks } = run.def;
  const order = new Uint32Array(run.size);
  let a = 0;
  let b = 0;
  for (let k = 0; k < order.length; k++) {
    const takeA =
      b === instances.length ||
      (a < byName.length && compareNames(tasks[byName[a]!]!.name, names.get(instances[b]!)!) <= 0);
    order[k] = takeA ? byName[a++]! : instances[b++]!;
  }
  orders.set(run, { generation: run.generation, order });
  return order;
}
