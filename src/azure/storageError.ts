/**
 * Reads the HTTP status and the service's error code off an Azure SDK error without depending
 * on one package's RestError class (blob, queue and table each bundle their own core versions).
 * The code is in `code` for most responses but only in `details.errorCode` for HEAD requests,
 * which carry no body.
 */
export interface StorageFailure {
  readonly status: number | undefined;
  readonly code: string | undefined;
}

export function storageFailure(err: unknown): StorageFailure {
  if (typeof err !== "object" || err === null) return { status: undefined, code: undefined };
  const e = err as { statusCode?: unknown; code?: unknown; details?: { errorCode?: unknown } };
  const status = typeof e.statusCode === "number" ? e.statusCode : undefined;
  const detailCode = typeof e.details?.errorCode === "string" ? e.details.errorCode : undefined;
  const code = typeof e.code === "string" && e.code !== "" ? e.code : detailCode;
  return { status, code };
}

export function isStatus(err: unknown, ...statuses: number[]): boolean {
  const { status } = storageFailure(err);
  return status !== undefined && statuses.includes(status);
}
