/**
 * Unique, valid storage names derived from the current test's name, so integration tests never
 * share a container, queue or table and a leftover is easy to trace back to its test.
 */
import { expect } from "vitest";
import { isValidContainerOrQueueName, isValidTableName } from "../../src/memory/storageNames.js";

const SUFFIX_LENGTH = 6;

function suffix(): string {
  let out = "";
  while (out.length < SUFFIX_LENGTH) out += Math.random().toString(36).slice(2);
  return out.slice(0, SUFFIX_LENGTH);
}

function testName(base: string | undefined): string {
  return base ?? expect.getState().currentTestName ?? "test";
}

/** A container or queue name: lower-case letters, digits and single hyphens, 3–63 chars. */
export function uniqueName(base?: string): string {
  const slug = testName(base)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  // Keep the end of the name: the test's own title is more telling than its suites' names.
  const room = 63 - SUFFIX_LENGTH - 1;
  const kept = slug.slice(-room).replace(/^-+/, "");
  const name = kept ? `${kept}-${suffix()}` : `t-${suffix()}`;
  if (!isValidContainerOrQueueName(name)) throw new Error(`bad generated name ${name}`);
  return name;
}

/** A table name: letters and digits, starting with a letter, 3–63 chars. */
export function uniqueTableName(base?: string): string {
  const slug = testName(base).replace(/[^A-Za-z0-9]+/g, "");
  const room = 63 - SUFFIX_LENGTH - 1;
  const name = `t${slug.slice(-room)}${suffix()}`;
  if (!isValidTableName(name)) throw new Error(`bad generated name ${name}`);
  return name;
}
