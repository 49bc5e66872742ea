import type { ApplyOptions, Command, RerunRequest } from "./events.js";
import { decideTasks } from "./propagate.js";
import { nextAttempt, rerunPlan } from "./rerunPlan.js";
import type { RunState } from "./runState.js";
import { isTerminalCode, StateCode } from "./states.js";

/** Applies a rerun (the rule: rerunPlan.ts); returns why it was refused, or undefined when it took effect. */
export function applyRerun(
  run: RunState,
  req: RerunRequest,
  now: number,
  commands: Command[],
  opts: ApplyOptions,
): string | undefined {
  const plan = rerunPlan(run, req);
  if ("refused" in plan) return plan.refused;
  const reopening = run.wf.status === "cancelled";
  const retryAt = reopening && req.reopenDelayMs ? now + req.reopenDelayMs : 0;
  const heads = new Set<number>();
  for (const i of plan.reset) {
    // A cancelled task's dispatched attempt may still sit in a queue: the workflow's cancelled
    // flag kept workers from running it, and that flag is about to be withdrawn.
    if (run.status[i] === StateCode.cancelled && run.dispatchedAt[i]! > 0)
      commands.push({ kind: "kill", task: i, attempt: run.attempt[i]! });
    const next = nextAttempt(run, i);
    // An instance is ready again at once: its map's dependencies are not reset (rerunPlan).
    const ready = run.isInstance(i) || run.def.startsReady[i] === 1;
    if (run.isInstance(i)) heads.add(run.taskOf(i));
    run.write(i, {
      status: ready ? StateCode.ready : StateCode.pending,
      attempt: next,
      base: next - 1,
      dispatchedAt: 0,
      startedAt: 0,
      finishedAt: 0,
      retryAt,
      output: undefined,
      reason: undefined,
    });
  }
  // A mapped task whose instances run again runs again with them.
  for (const h of heads)
    if (isTerminalCode(run.status[h]!))
      run.write(h, { status: StateCode.running, finishedAt: 0, reason: undefined });
  // A workflow cancelled while it waited for admission never started: it starts now.
  run.setWorkflow({
    status: "running",
    startedAt: run.wf.startedAt || now,
    finishedAt: 0,
    reason: null,
  });
  if (reopening) commands.push({ kind: "reopen" });
  decideTasks(run, plan.reset, now, opts);
  return undefined;
}
