import type { ConditionNode } from "./ast.js";
import { printCondition } from "./print.js";
import { truncate } from "./text.js";

/** Thrown inside evaluation only, and always caught by evaluateCondition, which never throws. */
export class Failure {
  constructor(readonly reason: string) {}
}

export function fail(node: ConditionNode, message: string): never {
  throw new Failure(reasonAt(node, message));
}

/** `expression: message`, the expression cut short: how reasons and static problems read. */
export function reasonAt(node: ConditionNode, message: string): string {
  return `${truncate(printCondition(node), 200)}: ${message}`;
}
