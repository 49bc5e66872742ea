import type { ConditionNode } from "./ast.js";
import { printCondition } from "./print.js";
import { truncate } from "./text.js";

/** Thrown inside evaluation only, and always caught by evaluateCondition, which never throws. */
export class Failure {
  constructor(readonly reason: string) {}
}

export function fail(node: ConditionNode, message: string): never {
  throw new Failure(`${truncate(printCondition(node), 200)}: ${message}`);
}
