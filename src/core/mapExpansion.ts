import { evaluateExpression } from "./condition/index.js";
import { typeName } from "./condition/values.js";
import { LIMITS } from "./definition.js";
import type { ApplyOptions } from "./events.js";
import type { Json } from "./json.js";
import { taskName } from "./mapState.js";
import { utf8Length } from "./messageSize.js";
import type { RunState } from "./runState.js";
import { isBadCode, isTerminalCode, StateCode, TASK_STATES } from "./states.js";
import { completedInputs } from "./taskInputs.js";

/**
 * Dynamic fan-out (README, "Dynamic fan-out"). A task with a `map` is decided like any other;
 * where it would become ready, its expression is evaluated over the same inputs and the task
 * expands into one instance per item of the list, each ready at once:
 *
 * - the mapped task stays, as the summary of its instances: `running` while they run, then
 *   `completed` when every instance completed, `failed` (naming them) when one did not;
 * - an empty list gives no instance: the task is `skipped`, and its children see a skipped
 *   dependency;
 * - an expression that cannot be evaluated or is not a list, more than LIMITS.maxMapItems
 *   items, items over LIMITS.maxMapBytes, or a workflow that would pass LIMITS.maxTasks: the
 *   task fails with the reason, and nothing expands.
 *
 * Returns true when the task ended (skipped or failed), as the deciders do.
 */
/** The reason of a mapped task skipped because its list was empty. */
export const EMPTY_MAP = "map gave an empty list: no instance ran";

export function expandMap(run: RunState, c: number, now: number, opts: ApplyOptions): boolean {
  const spec = run.def.tasks[c]!;
  const end = (status: number, reason: string) => {
    run.write(c, { status, finishedAt: now, reason });
    return true;
  };
  const result = evaluateExpression(
    spec.map!,
    completedInputs(run, c, opts.resolvedOutputs),
    run.def.params,
  );
  if (!result.ok) return end(StateCode.failed, `map could not be evaluated: ${result.reason}`);
  const items = result.value;
  if (!Array.isArray(items))
    return end(StateCode.failed, `map must give a list, got ${typeName(items)}`);
  if (items.length === 0) return end(StateCode.skipped, EMPTY_MAP);
  if (items.length > LIMITS.maxMapItems)
    return end(
      StateCode.failed,
      `map gave ${items.length} items, more than the ${LIMITS.maxMapItems} one map may expand into`,
    );
  if (run.size + items.length > LIMITS.maxTasks)
    return end(
      StateCode.failed,
      `map gave ${items.length} items: the workflow would have ${run.size + items.length} tasks, more than the ${LIMITS.maxTasks} a workflow may have`,
    );
  const bytes = utf8Length(JSON.stringify(items));
  if (bytes > LIMITS.maxMapBytes)
    return end(
      StateCode.failed,
      `map gave ${bytes} bytes of items as JSON, more than the ${LIMITS.maxMapBytes} a map may keep`,
    );
  run.expand(c, items as Json[]);
  run.write(c, { status: StateCode.running, startedAt: now });
  return false;
}

/**
 * After an instance of a map ended: when it was the last one, the mapped task ends too,
 * completed if every instance completed, failed otherwise.
 */
export function endMapIfDone(run: RunState, i: number, now: number): void {
  const head = run.taskOf(i);
  if (head === i || isTerminalCode(run.status[head]!)) return;
  const exp = run.expansions.get(head)!;
  const n = exp.items.length;
  if (exp.term < n) return;
  if (exp.bad === 0) {
    run.write(head, { status: StateCode.completed, finishedAt: now, reason: undefined });
    return;
  }
  const shown: string[] = [];
  for (let j = exp.first; j < exp.first + n && shown.length < 3; j++) {
    const s = run.status[j]!;
    if (isBadCode(s)) shown.push(`"${taskName(run, j)}" ${TASK_STATES[s]}`);
  }
  const more = exp.bad > shown.length ? ` and ${exp.bad - shown.length} more` : "";
  run.write(head, {
    status: StateCode.failed,
    finishedAt: now,
    reason: `${exp.bad} of ${n} instances did not succeed (${shown.join(", ")}${more})`,
  });
}
