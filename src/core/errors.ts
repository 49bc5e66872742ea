/**
 * Every failure dagq reports carries a stable code, the path or ids it concerns, and whether
 * retrying could help. The queue trigger throws retryable errors (the message comes back, then
 * goes to poison) and logs-and-acks the others; the HTTP layer maps codes to status codes.
 */
export const ErrorCode = {
  INVALID_DEFINITION: "INVALID_DEFINITION",
  DUPLICATE_TASK: "DUPLICATE_TASK",
  UNKNOWN_TASK: "UNKNOWN_TASK",
  CYCLE: "CYCLE",
  BAD_DEP_POLICY: "BAD_DEP_POLICY",
  CONDITION_SYNTAX: "CONDITION_SYNTAX",
  CONDITION_REFERENCE: "CONDITION_REFERENCE",
  CONDITION_TYPE: "CONDITION_TYPE",
  TOO_LARGE: "TOO_LARGE",
  INVALID_STATE: "INVALID_STATE",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface Issue {
  /** Where the problem is, e.g. `tasks[3].depends_on[1]`, or `""` for the whole document. */
  readonly path: string;
  readonly code: ErrorCode;
  readonly message: string;
}

export class DagqError extends Error {
  override readonly name = "DagqError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { readonly issues?: readonly Issue[]; readonly [k: string]: unknown } = {},
    readonly retryable = false,
  ) {
    super(message);
  }
}

/** Formats issues one per line as `path: message`, the way the CLI and the HTTP API show them. */
export function formatIssues(issues: readonly Issue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("\n");
}

export function assertNever(x: never, what = "value"): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}
