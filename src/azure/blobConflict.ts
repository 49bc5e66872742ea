/**
 * How the Blob service's refusals map to the port's ConflictError, by error code:
 * - ConditionNotMet (412): the ETag moved on (ETAG_MISMATCH);
 * - LeaseIdMissing / LeaseIdMismatchWithBlobOperation / LeaseNotPresentWithBlobOperation
 *   (412 or 409): a lease we do not hold, or no longer hold (LEASE_HELD).
 * A conditional operation against a blob that is gone is an ETAG_MISMATCH: the state the
 * caller expected no longer exists, so it reloads (and finds nothing).
 */
import { ConflictError } from "../storage/ports.js";
import { storageFailure } from "./storageError.js";

/** A blob operation refused for want of the right lease. */
const LEASE_CODES = new Set([
  "LeaseIdMissing",
  "LeaseIdMismatchWithBlobOperation",
  "LeaseNotPresentWithBlobOperation",
]);
/** A lease operation refused because someone else's lease, or a breaking one, is in the way. */
const TAKEN_CODES = new Set([
  "LeaseAlreadyPresent",
  "LeaseIdMismatchWithLeaseOperation",
  "LeaseIsBreakingAndCannotBeAcquired",
  "LeaseIsBreakingAndCannotBeChanged",
]);

export function isLeaseRefusal(err: unknown): boolean {
  return LEASE_CODES.has(storageFailure(err).code ?? "");
}

export function isLeaseTaken(err: unknown): boolean {
  const { status, code } = storageFailure(err);
  return status === 409 && TAKEN_CODES.has(code ?? "");
}

/**
 * The ConflictError for a refused conditional write, or `err` itself for any other failure.
 * `onConditionNotMet` says what a 412 means: ETAG_MISMATCH when the caller gave an ETag, and
 * LEASE_HELD when only our implicit If-Match "*" of a leased write failed (the blob is gone).
 */
export function conflictOf(
  err: unknown,
  path: string,
  onConditionNotMet: ConflictError["code"],
): unknown {
  const { status, code } = storageFailure(err);
  if (LEASE_CODES.has(code ?? "")) return new ConflictError("LEASE_HELD", `${path}: ${code}`);
  if (status === 412 || code === "BlobNotFound") {
    return new ConflictError(onConditionNotMet, `${path}: ${code ?? status}`);
  }
  return err;
}
