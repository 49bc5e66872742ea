import type { CompiledWorkflow } from "./compile.js";
import { DagqError, ErrorCode } from "./errors.js";
import type { Json } from "./json.js";
import { RunState, type WorkflowRecord } from "./runState.js";
import { StateCode } from "./states.js";

/**
 * Changes: whole task records (and the workflow record) in a columnar, JSON-ready form. A delta
 * is the records one batch touched; a snapshot is every record that differs from a fresh run.
 * Replaying a delta only sets fields (the decisions were made when it was recorded), so
 * snapshot + deltas in order rebuild the exact state, and applying the same delta twice is
 * harmless.
 *
 * Columns gzip well: task indices are gap-encoded, times are milliseconds since the
 * workflow's creation (-1 = unset), and a fresh workflow's snapshot holds no task at all.
 */
export interface Changes {
  readonly v: 1;
  readonly wf?: WorkflowRecord;
  /** Task indices, gap-encoded: each entry is the difference to the previous index. */
  readonly i: number[];
  readonly s: number[];
  readonly a: number[];
  readonly d: number[];
  readonly st: number[];
  readonly ft: number[];
  readonly rt: number[];
  /** Outputs and reasons, keyed by position in the columns above. */
  readonly o: Array<[number, Json]>;
  readonly r: Array<[number, string]>;
  /**
   * Attempt bases of records a rerun reset (TaskRecord.base), keyed by position; absent when
   * none has one, so journals written before reruns existed read as they are.
   */
  readonly b?: Array<[number, number]>;
  /**
   * Maps expanded: [mapped task, first instance index, items], in the order they expanded. A
   * delta holds those of its batch, a snapshot all of them; replay appends the instances before
   * it writes any record. Absent when there are none, so older journals read as they are.
   */
  readonly x?: Array<[number, number, Json[]]>;
}

export const CHANGES_VERSION = 1;

/** The delta of everything written since the last call; resets the run's change tracking. */
export function takeChanges(run: RunState): Changes {
  const indices = [...run.touched].sort((a, b) => a - b);
  run.touched.clear();
  const wf = run.wfTouched ? { ...run.wf } : undefined;
  run.wfTouched = false;
  const expanded = run.newExpansions;
  run.newExpansions = [];
  return encode(run, indices, wf, expanded);
}

/** Every record that differs from a fresh run, plus the workflow record. */
export function snapshot(run: RunState): Changes {
  const indices: number[] = [];
  for (let i = 0; i < run.size; i++) if (!isFresh(run, i)) indices.push(i);
  return encode(run, indices, { ...run.wf }, [...run.expansions.keys()]);
}

/** Rebuilds a run from a snapshot and the deltas recorded after it, in order. */
export function restore(
  def: CompiledWorkflow,
  id: string,
  snap: Changes,
  deltas: Iterable<Changes> = [],
): RunState {
  if (!snap.wf)
    throw new DagqError(ErrorCode.INVALID_STATE, `snapshot of ${id} has no workflow record`);
  const run = new RunState(def, id, { ...snap.wf });
  replay(run, snap);
  for (const d of deltas) replay(run, d);
  run.touched.clear();
  run.wfTouched = false;
  run.newExpansions = [];
  return run;
}

export function replay(run: RunState, changes: Changes): void {
  if (changes.v !== CHANGES_VERSION)
    throw new DagqError(ErrorCode.INVALID_STATE, `unknown changes version ${changes.v}`);
  if (changes.wf) run.setWorkflow(changes.wf);
  for (const [head, first, items] of changes.x ?? []) {
    // Replaying the same delta twice is harmless: an expansion already made is left alone.
    if (run.expansions.get(head)?.first === first) continue;
    if (!(head >= 0 && head < run.def.size) || first !== run.size || items.length === 0)
      throw new DagqError(
        ErrorCode.INVALID_STATE,
        `changes expand task #${head} at #${first}, but the state has ${run.size} tasks`,
      );
    run.expand(head, items, first);
    // Recorded already: a replayed expansion is not news for the next delta.
    run.newExpansions.pop();
  }
  const base = run.wf.createdAt;
  const outputs = new Map(changes.o);
  const reasons = new Map(changes.r);
  const bases = new Map(changes.b ?? []);
  let i = 0;
  for (let k = 0; k < changes.i.length; k++) {
    i += changes.i[k]!;
    if (i >= run.size)
      throw new DagqError(
        ErrorCode.INVALID_STATE,
        `changes name task #${i} of a ${run.size}-task workflow`,
      );
    run.write(i, {
      status: changes.s[k]!,
      attempt: changes.a[k]!,
      dispatchedAt: fromOffset(changes.d[k]!, base),
      startedAt: fromOffset(changes.st[k]!, base),
      finishedAt: fromOffset(changes.ft[k]!, base),
      retryAt: fromOffset(changes.rt[k]!, base),
      base: bases.get(k) ?? 0,
      output: outputs.get(k),
      reason: reasons.get(k),
    });
  }
}

export function changeCount(changes: Changes): number {
  return changes.i.length;
}

function encode(
  run: RunState,
  indices: number[],
  wf: WorkflowRecord | undefined,
  expanded: readonly number[],
): Changes {
  const base = run.wf.createdAt;
  const n = indices.length;
  const bases: Array<[number, number]> = [];
  const c: Changes = {
    v: 1,
    ...(wf ? { wf } : {}),
    i: new Array(n),
    s: new Array(n),
    a: new Array(n),
    d: new Array(n),
    st: new Array(n),
    ft: new Array(n),
    rt: new Array(n),
    o: [],
    r: [],
  };
  let prev = 0;
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    c.i[k] = i - prev;
    prev = i;
    c.s[k] = run.status[i]!;
    c.a[k] = run.attempt[i]!;
    c.d[k] = toOffset(run.dispatchedAt[i]!, base);
    c.st[k] = toOffset(run.startedAt[i]!, base);
    c.ft[k] = toOffset(run.finishedAt[i]!, base);
    c.rt[k] = toOffset(run.retryAt.get(i) ?? 0, base);
    const output = run.outputs.get(i);
    if (output !== undefined) c.o.push([k, output]);
    const reason = run.reasons.get(i);
    if (reason !== undefined) c.r.push([k, reason]);
    const b = run.base.get(i);
    if (b !== undefined) bases.push([k, b]);
  }
  const x = expanded.map((head): [number, number, Json[]] => {
    const exp = run.expansions.get(head)!;
    return [head, exp.first, exp.items as Json[]];
  });
  return {
    ...c,
    ...(bases.length > 0 ? { b: bases } : {}),
    ...(x.length > 0 ? { x } : {}),
  };
}

function isFresh(run: RunState, i: number): boolean {
  // As the constructor (and an expansion, for an instance) leaves it.
  const startsReady = run.isInstance(i) || run.def.startsReady[i] === 1;
  return (
    run.status[i] === (startsReady ? StateCode.ready : StateCode.pending) &&
    run.attempt[i] === 1 &&
    run.dispatchedAt[i] === 0 &&
    run.startedAt[i] === 0 &&
    run.finishedAt[i] === 0 &&
    !run.retryAt.has(i) &&
    !run.base.has(i) &&
    !run.outputs.has(i) &&
    !run.reasons.has(i)
  );
}

function toOffset(t: number, base: number): number {
  return t === 0 ? -1 : t - base;
}

function fromOffset(o: number, base: number): number {
  return o < 0 ? 0 : o + base;
}
