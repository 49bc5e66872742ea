/**
 * What a chaos run did to the workflows, from three sources that do not depend on each other:
 * `run-local`'s result on the same file (what the states must be), the execution log (what
 * really ran) and the final states read through the API (what dagq kept).
 *
 * - lost: a task that never reached a final state, or that the state says ran and the log
 *   shows never ran.
 * - double-applied: a task whose state shows a report applied twice or applied over another:
 *   more attempts counted than the log shows started (a failure counted twice), or a kept
 *   output that is not the report of the kept attempt by an execution the log shows.
 * - state differences: status, attempts or output (provenance aside) unlike run-local's, or
 *   the workflow's own status unlike run-local's.
 * - duplicate executions: runs beyond one per (task, attempt): what crashes cost in work.
 * - stale inputs (not a failure): a task that ran with a parent output other than the one
 *   the state kept. Dispatch comes before the write (docs/reliability.md), so after a host
 *   crash a child dispatched from a cycle that was never written can see an output of a
 *   parent's other execution.
 */
import { isDeepStrictEqual } from "node:util";
import type { TaskView } from "../../src/client/index.js";
import type { Json } from "../../src/core/index.js";
import type { LocalResult } from "../../src/local/localResult.js";
import type { ChaosDefinition } from "./chaosWorkflow.js";
import { type ExecutionLog, extraExecutions, taskKey } from "./executionLog.js";

export interface FinalWorkflow {
  readonly id: string;
  readonly status: string;
  readonly tasks: readonly TaskView[];
}

export interface Finding {
  readonly workflow: string;
  readonly task: string;
  readonly why: string;
}

export interface Verdict {
  readonly tasks: number;
  readonly executions: number;
  readonly lost: readonly Finding[];
  readonly doubleApplied: readonly Finding[];
  readonly stateDiffs: readonly Finding[];
  readonly duplicates: number;
  readonly staleInputs: readonly Finding[];
}

interface Provenance {
  readonly attempt: number | undefined;
  readonly pid: number | undefined;
  readonly seen: readonly number[];
  /** The output without its provenance: what must equal run-local's. */
  readonly value: Json;
}

const UNFINISHED = new Set(["pending", "ready", "running"]);
const RAN = new Set(["completed", "failed"]);

export function verdict(
  def: ChaosDefinition,
  expected: LocalResult,
  finals: readonly FinalWorkflow[],
  log: ExecutionLog,
): Verdict {
  const lost: Finding[] = [];
  const doubleApplied: Finding[] = [];
  const stateDiffs: Finding[] = [];
  const staleInputs: Finding[] = [];
  let duplicates = 0;
  for (const wf of finals) {
    const at = (task: string, why: string) => ({ workflow: wf.id, task, why });
    if (wf.status !== expected.status)
      stateDiffs.push(at("(workflow)", `${wf.status}, run-local: ${expected.status}`));
    const byName = new Map(wf.tasks.map((t) => [t.name, t]));
    for (const task of def.tasks) {
      const want = expected.tasks[task.name];
      const got = byName.get(task.name);
      const runs = log.byTask.get(taskKey(wf.id, task.name)) ?? [];
      duplicates += extraExecutions(runs);
      if (!got || !want) {
        lost.push(at(task.name, got ? "not in run-local's result" : "missing from the state"));
        continue;
      }
      if (UNFINISHED.has(got.status)) lost.push(at(task.name, `still ${got.status}`));
      else if (RAN.has(got.status) && runs.length === 0)
        lost.push(at(task.name, `${got.status}, but the log shows no execution`));
      const prov = provenance(got.output);
      const wantValue = provenance(want.output).value;
      if (
        got.status !== want.status ||
        got.attempts !== want.attempts ||
        !isDeepStrictEqual(prov.value, wantValue)
      )
        stateDiffs.push(
          at(
            task.name,
            `${got.status} after ${got.attempts} attempt(s), run-local: ${want.status} after ${want.attempts}`,
          ),
        );
      const maxRun = Math.max(0, ...runs.map((r) => r.attempt));
      if (runs.length > 0 && got.attempts > maxRun)
        doubleApplied.push(
          at(task.name, `${got.attempts} attempts counted, the log shows ${maxRun} started`),
        );
      if (got.status === "completed" && prov.pid !== undefined) {
        if (prov.attempt !== got.attempts)
          doubleApplied.push(
            at(task.name, `kept the output of attempt ${prov.attempt} as attempt ${got.attempts}`),
          );
        else if (!runs.some((r) => r.attempt === prov.attempt && r.pid === prov.pid))
          doubleApplied.push(
            at(
              task.name,
              `kept an output of pid ${prov.pid}, which never ran attempt ${prov.attempt}`,
            ),
          );
        const stale = staleInput(task, prov, byName);
        if (stale) staleInputs.push(at(task.name, stale));
      }
    }
  }
  return {
    tasks: finals.length * def.tasks.length,
    executions: log.lines,
    lost,
    doubleApplied,
    stateDiffs,
    duplicates,
    staleInputs,
  };
}

/** Whether the parents' pids a task saw differ from the outputs the state kept. */
function staleInput(
  task: ChaosDefinition["tasks"][number],
  prov: Provenance,
  states: ReadonlyMap<string, TaskView>,
): string | null {
  const kept = (task.depends_on ?? [])
    .map((p) => states.get(p))
    .filter((p) => p?.status === "completed")
    .map((p) => provenance(p!.output).pid);
  const seen = [...prov.seen].sort((a, b) => a - b);
  const keptSorted = kept.filter((p) => p !== undefined).sort((a, b) => a - b);
  // An `any` task starts once one parent completed: it may have seen fewer than were kept.
  const same =
    task.dep_policy === "any"
      ? seen.every((pid) => keptSorted.includes(pid))
      : isDeepStrictEqual(seen, keptSorted);
  return same ? null : `saw parent pids [${seen}], the state kept [${keptSorted}]`;
}

function provenance(output: Json): Provenance {
  if (typeof output !== "object" || output === null || Array.isArray(output))
    return { attempt: undefined, pid: undefined, seen: [], value: output };
  // Array.isArray does not narrow a readonly array away.
  const { prov, ...value } = output as { readonly [k: string]: Json };
  const p = (typeof prov === "object" && prov !== null && !Array.isArray(prov) ? prov : {}) as {
    pid?: unknown;
    seen?: unknown;
  };
  return {
    attempt: typeof value.attempt === "number" ? value.attempt : undefined,
    pid: typeof p.pid === "number" ? p.pid : undefined,
    seen:
      typeof p.seen === "string"
        ? p.seen
            .split(" ")
            .filter((s) => s !== "")
            .map(Number)
        : [],
    value,
  };
}
