import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    // Hooks start hosts, workers and browsers; on a loaded 2-core machine that has taken >30 s.
    hookTimeout: 120_000,
    globalSetup: ["test/support/globalSetup.ts"],
  },
});
