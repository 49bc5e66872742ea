import type { z } from "zod";
import { type WorkflowDefinition, WorkflowDefinitionSchema } from "./definition.js";

/**
 * A definition that failed the schema, with what failed taken out, so that the names and the
 * graph can be checked in the same round (a user fixes everything after one `validate`, not
 * after three). Each offending key is removed, or, for a missing or broken task name or
 * command, replaced with a stand-in that cannot collide with a real name. Null when even that
 * does not give a definition (no task list at all).
 */
export function salvage(
  input: unknown,
  issues: readonly z.core.$ZodIssue[],
): WorkflowDefinition | null {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return null;
  // A plain-data copy (the input is parsed JSON or YAML), so the caller's stays as it was. A
  // document nested deeper than the copy can walk is past saving: its issues stand as they are.
  let doc: unknown;
  try {
    doc = JSON.parse(JSON.stringify(input));
  } catch {
    return null;
  }
  let current = issues;
  for (let round = 0; round < 4; round++) {
    for (const zi of current) {
      if (zi.code === "unrecognized_keys")
        for (const key of zi.keys) remove(doc, [...zi.path, key]);
      else repair(doc, zi.path);
    }
    const again = WorkflowDefinitionSchema.safeParse(doc);
    if (again.success) return again.data;
    current = again.error.issues;
  }
  return null;
}

/** Stand-ins for what a task cannot do without; `~` is not allowed in a real task name. */
function repair(doc: unknown, path: readonly PropertyKey[]): void {
  const [top, index, field] = path;
  if (top === "tasks" && typeof index === "number" && (field === "name" || field === "command")) {
    const task = at(doc, ["tasks", index]);
    if (task && typeof task === "object") {
      (task as Record<string, unknown>)[field] =
        field === "name" ? `unnamed-${index}-${"x".repeat(8)}` : "true";
      return;
    }
  }
  if (top === "tasks" && typeof index === "number" && path.length === 2) {
    // A task that is not a mapping at all: a stand-in keeps the other tasks' indices.
    const tasks = at(doc, ["tasks"]);
    if (Array.isArray(tasks))
      tasks[index] = { name: `unnamed-${index}-${"x".repeat(8)}`, command: "true" };
    return;
  }
  remove(doc, path);
}

function at(doc: unknown, path: readonly PropertyKey[]): unknown {
  let cur = doc;
  for (const seg of path) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

function remove(doc: unknown, path: readonly PropertyKey[]): void {
  if (path.length === 0) return;
  const parent = at(doc, path.slice(0, -1));
  const last = path.at(-1)!;
  if (Array.isArray(parent) && typeof last === "number") {
    // A bad list item (a dependency that is not a string): left out of the list.
    parent.splice(last, 1);
  } else if (typeof parent === "object" && parent !== null) {
    delete (parent as Record<PropertyKey, unknown>)[last];
  }
}
