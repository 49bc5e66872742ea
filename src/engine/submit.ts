import { compileDefinition, createRun, summarize, wakeAt } from "../core/index.js";
import { type Engine, newWorkflowId } from "./context.js";
import { checkServiceBusQueues } from "./queueAllowList.js";

export interface Submitted {
  readonly id: string;
  readonly status: "pending" | "running";
  readonly tasks: number;
}

/**
 * Validates and stores a workflow, indexes it, and dispatches its roots (or leaves it pending
 * for admission when a limit on running workflows is set). The state is written before any
 * task is dispatched, so a worker never reports on a workflow that does not exist yet; the
 * first dispatch is an ordinary coordinator cycle, and if it does not happen (a crash right
 * here), the index row's wake-up time makes the next sweep do it.
 */
export async function submitWorkflow(engine: Engine, input: unknown): Promise<Submitted> {
  const def = compileDefinition(input);
  checkServiceBusQueues(def, engine.config.serviceBusNamespaces);
  const now = engine.clock();
  const id = newWorkflowId(now);
  const admitted = engine.config.maxRunningWorkflows === 0;
  const { run } = createRun(def, id, now, { admitted, dispatchReady: false });
  await engine.state.create(id, def, run);
  await engine.index.put(summarize(run), now, wakeAt(run, now, engine.config));
  engine.telemetry.count("workflows.submitted");
  if (admitted) {
    await engine.coordinator.apply(id, []).catch((e: unknown) => {
      engine.telemetry.log(
        "warn",
        `workflow ${id}: first dispatch failed, the sweep will retry: ${String(e)}`,
      );
    });
  }
  return { id, status: admitted ? "running" : "pending", tasks: def.size };
}
