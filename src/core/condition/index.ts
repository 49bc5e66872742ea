export type { Aggregate, Condition, ConditionNode, ConditionRef } from "./ast.js";
export { checkCondition } from "./check.js";
export { type ConditionResult, evaluateCondition } from "./evaluate.js";
export { isGlob, matchGlob } from "./glob.js";
export { parseCondition } from "./parser.js";
export { printCondition } from "./print.js";
