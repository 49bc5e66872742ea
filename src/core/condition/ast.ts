/** What a condition reads: one direct dependency, or every completed dependency a glob matches. */
export type ConditionRef =
  | { readonly kind: "name"; readonly name: string }
  | { readonly kind: "glob"; readonly pattern: string };

export const AGGREGATES = ["all", "any", "count", "min", "max", "sum", "avg"] as const;
export type Aggregate = (typeof AGGREGATES)[number];

export const LogicalOp = { AND: "and", OR: "or" } as const;
export type LogicalOp = (typeof LogicalOp)[keyof typeof LogicalOp];

export const CompareOp = {
  EQ: "==",
  NE: "!=",
  LT: "<",
  LE: "<=",
  GT: ">",
  GE: ">=",
  IN: "in",
  NOT_IN: "not in",
} as const;
export type CompareOp = (typeof CompareOp)[keyof typeof CompareOp];

export type LiteralValue = null | boolean | number | string;

/**
 * Parentheses leave no trace, and a static index (`x["f1-score"]`) is a `member` just like
 * `x.f1`, so two spellings of the same condition have the same tree.
 */
export type ConditionNode =
  | { readonly kind: "literal"; readonly value: LiteralValue }
  | { readonly kind: "list"; readonly items: readonly ConditionNode[] }
  | { readonly kind: "input"; readonly ref: ConditionRef }
  /** A workflow parameter (`params.lr`): a constant once the workflow is submitted. */
  | { readonly kind: "param"; readonly name: string }
  | { readonly kind: "member"; readonly object: ConditionNode; readonly name: string }
  | { readonly kind: "index"; readonly object: ConditionNode; readonly index: ConditionNode }
  | { readonly kind: "call"; readonly fn: Aggregate; readonly arg: ConditionNode }
  | { readonly kind: "not"; readonly operand: ConditionNode }
  | { readonly kind: "neg"; readonly operand: ConditionNode }
  | {
      readonly kind: "logical";
      readonly op: LogicalOp;
      readonly left: ConditionNode;
      readonly right: ConditionNode;
    }
  | {
      readonly kind: "compare";
      readonly op: CompareOp;
      readonly left: ConditionNode;
      readonly right: ConditionNode;
    };

export interface Condition {
  readonly source: string;
  readonly ast: ConditionNode;
  /** Deduplicated, in order of first appearance. */
  readonly refs: readonly ConditionRef[];
  /** The parameters it reads, deduplicated, in order of first appearance. */
  readonly params: readonly string[];
}

export const MAX_SOURCE_LENGTH = 4096;
export const MAX_DEPTH = 64;

/** Names that can follow a dot and be printed back without brackets. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isAggregate(name: string): name is Aggregate {
  return (AGGREGATES as readonly string[]).includes(name);
}
