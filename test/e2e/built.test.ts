import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { azuriteConnectionString } from "../support/azurite.js";

/**
 * The built output under plain Node ESM, with no vitest transform in between: this is where a
 * named import from the CommonJS `@azure/functions` would fail at run time while type-checking
 * fine. `npm test` builds before it runs the tests.
 */
describe("the built package under native Node ESM", () => {
  const built = existsSync("dist/functions/index.js") && existsSync("dist/cli/main.js");

  it("dist/ exists (npm test builds it; run `npm run build` before running vitest alone)", () => {
    expect(built).toBe(true);
  });

  it.runIf(built)(
    "the Functions entry point registers every function of the table with app.*",
    () => {
      const script = `
      const functions = (await import("@azure/functions")).default;
      const seen = [];
      for (const kind of ["storageQueue", "timer", "http"]) functions.app[kind] = (name) => seen.push(kind + ":" + name);
      await import("./dist/functions/index.js");
      console.log(JSON.stringify(seen.sort()));`;
      const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
        env: { ...process.env, DagqStorage: "UseDevelopmentStorage=true" },
        encoding: "utf8",
      });
      expect(JSON.parse(out)).toEqual([
        "http:cancelWorkflow",
        "http:dashboard",
        "http:deleteWorkflow",
        "http:getPurge",
        "http:getTask",
        "http:getTaskLog",
        "http:getTaskOutput",
        "http:getWorkflow",
        "http:getWorkflowGraph",
        "http:getWorkflowTasks",
        "http:health",
        "http:listWorkers",
        "http:listWorkflows",
        "http:rerunWorkflow",
        "http:startPurge",
        "http:submitWorkflow",
        "http:summary",
        "storageQueue:completionIngest",
        "storageQueue:control",
        "timer:admission",
        "timer:sweepOrphans",
        "timer:sweepRunning",
      ]);
    },
  );

  it.runIf(built)("the dagq command runs from dist/", () => {
    const out = execFileSync(
      process.execPath,
      ["dist/cli/main.js", "validate", "examples/ml-pipeline.yaml"],
      { encoding: "utf8" },
    );
    expect(out).toMatch(/^ok: ml-pipeline, 8 tasks/);
  });

  it.runIf(built)(
    "dagq host prints the dashboard's link, which serves the page",
    async () => {
      const child = spawn(
        process.execPath,
        ["dist/cli/main.js", "host", "--port", "0", "--key", "k/ey", "--prefix", "hostlink"],
        {
          env: { ...process.env, DagqStorage: azuriteConnectionString() },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      try {
        let out = "";
        const link = await new Promise<string>((resolve, reject) => {
          child.stdout.on("data", (d: Buffer) => {
            out += d.toString();
            const m = /^dashboard: (\S+)$/m.exec(out);
            if (m) resolve(m[1]!);
          });
          child.once("exit", (code) => reject(new Error(`host exited ${code}: ${out}`)));
        });
        expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/dashboard\/#key=k%2Fey$/);
        const page = await fetch(link.replace(/#.*$/, ""));
        expect(page.status).toBe(200);
        expect(await page.text()).toContain("<title>dagq</title>");
      } finally {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
    },
    30_000,
  );
});
