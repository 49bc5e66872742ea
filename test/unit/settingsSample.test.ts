import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigSchema, readConfig } from "../../src/config.js";

/** local.settings.sample.json must list every setting the code reads, and be valid as it is. */
describe("local.settings.sample.json", () => {
  const sample = JSON.parse(readFileSync("local.settings.sample.json", "utf8")) as {
    Values: Record<string, string>;
  };
  // With managed identity only: an empty account name or client id is not a valid value.
  const identityOnly = ["DagqStorage__accountName", "DagqStorage__clientId"];

  it("lists every setting of src/config.ts (but the identity-only ones)", () => {
    const read = Object.keys(ConfigSchema.shape).filter((k) => !identityOnly.includes(k));
    expect(read.filter((k) => !(k in sample.Values))).toEqual([]);
  });

  it("is accepted by readConfig as it stands", () => {
    const config = readConfig(sample.Values);
    expect(config.DAGQ_PREFIX).toBe("dagq");
    expect(config.DagqStorage).toBe("UseDevelopmentStorage=true");
  });
});
