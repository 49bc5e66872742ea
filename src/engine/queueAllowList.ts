import { type CompiledWorkflow, DagqError, ErrorCode, type Issue } from "../core/index.js";
import { isServiceBusTarget, parseServiceBusTarget } from "../storage/serviceBusTarget.js";

/**
 * The app connects to a task's `sb://namespace/queue` with its own managed identity, which
 * would hand a token to whatever host a definition names. Only the namespaces the deployment
 * lists (DAGQ_SERVICEBUS_NAMESPACES) are accepted; the rest are refused at submit, naming the
 * task.
 */
export function checkServiceBusQueues(def: CompiledWorkflow, allowed: ReadonlySet<string>): void {
  const issues: Issue[] = [];
  def.tasks.forEach((t, i) => {
    if (!isServiceBusTarget(t.queue)) return;
    const { namespace } = parseServiceBusTarget(t.queue);
    if (allowed.has(namespace)) return;
    const listed = allowed.size === 0 ? "none are" : `only ${[...allowed].join(", ")} are`;
    issues.push({
      path: `tasks[${i}].queue`,
      code: ErrorCode.INVALID_DEFINITION,
      message: `task "${t.name}": Service Bus namespace ${namespace} is not allowed here (${listed} allowed: DAGQ_SERVICEBUS_NAMESPACES)`,
    });
  });
  if (issues.length > 0)
    throw new DagqError(
      ErrorCode.INVALID_DEFINITION,
      `invalid workflow definition:\n${issues.map((i) => `${i.path}: ${i.message}`).join("\n")}`,
      { issues },
    );
}
