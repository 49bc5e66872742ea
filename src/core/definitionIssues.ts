import { LIMITS } from "./definition.js";
import { DagqError, ErrorCode, formatIssues, type Issue } from "./errors.js";

export function taskIssue(
  i: number,
  name: string,
  field: string,
  code: Issue["code"],
  message: string,
): Issue {
  return { path: `tasks[${i}].${field}`, code, message: `task "${name}": ${message}` };
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path)
    out += typeof seg === "number" ? `[${seg}]` : out === "" ? String(seg) : `.${String(seg)}`;
  return out;
}

/** Names the task in a schema message, when the path runs through `tasks[i]` and it has a name. */
export function withTaskName(
  input: unknown,
  path: readonly PropertyKey[],
  message: string,
): string {
  if (path[0] !== "tasks" || typeof path[1] !== "number") return message;
  const tasks = (input as { tasks?: unknown })?.tasks;
  const task = Array.isArray(tasks)
    ? (tasks[path[1]] as { name?: unknown } | undefined)
    : undefined;
  return typeof task?.name === "string" && task.name.length <= LIMITS.maxNameLength
    ? `task "${task.name}": ${message}`
    : message;
}

export function invalid(issues: Issue[]): DagqError {
  const shown = issues.slice(0, 50);
  const more = issues.length > shown.length ? `\n… and ${issues.length - shown.length} more` : "";
  return new DagqError(
    ErrorCode.INVALID_DEFINITION,
    `invalid workflow definition:\n${formatIssues(shown)}${more}`,
    { issues },
  );
}
