export type { Aggregate, Condition, ConditionNode, ConditionRef } from "./ast.js";
export { checkCondition, checkListExpression } from "./check.js";
export {
  type ConditionResult,
  type ExpressionResult,
  evaluateCondition,
  evaluateExpression,
} from "./evaluate.js";
export { isGlob, matchGlob } from "./glob.js";
export { parseCondition } from "./parser.js";
export { printCondition } from "./print.js";
