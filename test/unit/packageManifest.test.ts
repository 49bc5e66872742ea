/**
 * What installing dagq brings (issue 11, item 2): the emulator is not a runtime dependency, and
 * `dagq dev` says how to add it when it is missing.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AZURITE_MISSING, azuriteMain } from "../../src/azure/azurite.js";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};

describe("the package's dependencies", () => {
  it("leave Azurite to the projects that use `dagq dev` (an optional peer)", () => {
    expect(pkg.dependencies.azurite).toBeUndefined();
    expect(pkg.peerDependencies?.azurite).toBeDefined();
    expect(pkg.peerDependenciesMeta?.azurite?.optional).toBe(true);
    expect(pkg.devDependencies.azurite).toBeDefined(); // the tests start it
  });

  it("carry no OpenTelemetry distro with its instrumentations", () => {
    expect(pkg.dependencies["@azure/monitor-opentelemetry"]).toBeUndefined();
    // Exact: every later exporter declares node >= 22, which npm ci warns about on Node 20.
    expect(pkg.dependencies["@azure/monitor-opentelemetry-exporter"]).toBe("1.0.0-beta.42");
  });
});

describe("azuriteMain", () => {
  const missing = Object.assign(
    () => {
      throw new Error("not called");
    },
    {
      resolve: () => {
        throw Object.assign(new Error("Cannot find module 'azurite/package.json'"), {
          code: "MODULE_NOT_FOUND",
        });
      },
    },
  ) as unknown as NodeJS.Require;

  it("says how to add Azurite when neither dagq's folder nor the project has it", () => {
    expect(() => azuriteMain([missing, missing])).toThrow(AZURITE_MISSING);
    expect(AZURITE_MISSING).toMatch(/npm install --save-dev azurite/);
  });

  it("finds the installed one otherwise", () => {
    expect(azuriteMain()).toMatch(/node_modules\/azurite\/.+\.js$/);
  });
});
