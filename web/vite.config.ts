import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/**
 * The dashboard: web/ built into dist/web/, which the `dashboard` function serves at
 * /api/dashboard/. Asset URLs are relative (`base: "./"`), so the page works under any route
 * prefix. Preact's JSX through the bundler's own transform: no framework plugin needed.
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 600,
  },
  logLevel: "warn",
});
