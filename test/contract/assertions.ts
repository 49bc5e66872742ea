/** Assertion helpers shared by the contract suites. */
import { expect } from "vitest";
import { ConflictError } from "../../src/storage/ports.js";

/** Awaits `promise` and asserts it failed with a ConflictError of `code`. */
export async function expectConflict(
  promise: Promise<unknown>,
  code: ConflictError["code"],
): Promise<void> {
  const outcome = await promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) {
    expect.fail(`expected ConflictError ${code}, got success: ${JSON.stringify(outcome.value)}`);
  }
  expect(outcome.error).toBeInstanceOf(ConflictError);
  expect((outcome.error as ConflictError).code).toBe(code);
}

/** Awaits `promise` and asserts it failed with something other than a ConflictError. */
export async function expectFailure(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e ?? new Error("rejected with nothing"),
  );
  expect(error, "expected a failure").toBeDefined();
  expect(error).not.toBeInstanceOf(ConflictError);
}

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (data: Uint8Array): string => new TextDecoder().decode(data);

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
