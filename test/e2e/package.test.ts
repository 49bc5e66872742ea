/**
 * The deployment package, loaded as Azure would load it (issue 11, items 1-3).
 *
 * `npm test` runs `npm run package` before vitest. Here the zip is unpacked into an empty folder
 * under the OS temp directory, where no node_modules is reachable up the tree, and its entry
 * point (package.json `main`, as the Node worker reads it) is imported by plain Node under
 * native ESM. The worker hands the app its API by answering `require("@azure/functions-core")`
 * (Module.prototype.require); a preload does the same and records what the app registers, so
 * the `@azure/functions` copy inside the bundle runs its real registration path, not test mode.
 *
 * The files the zip holds are checked against an oracle of their own: the deployment folder
 * walked with .funcignore applied by the `ignore` library (gitignore rules, as azd applies them).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { unzipSync } from "fflate";
import ignore from "ignore";
import { afterAll, describe, expect, it } from "vitest";
import { buildPackage } from "../../scripts/package.js";
import { readConfig } from "../../src/config.js";
import { byTrigger, functionTable } from "../../src/functions/registry.js";
import { createRuntime } from "../../src/functions/runtime.js";

const FOLDER = "build/functionapp";
const ZIP = "build/functionapp.zip";
const ENV = { DagqStorage: "UseDevelopmentStorage=true" };
/** Targets of issue 11: the zip at most 15 MB; importing the entry point at most 1 s. */
const MAX_ZIP_BYTES = 15 * 1024 * 1024;
/** The 1 s target with room for a machine shared with other test processes. */
const MAX_IMPORT_MS = 3000;

/** Stands in for the Functions Node worker: answers @azure/functions-core, records calls. */
const FAKE_WORKER = `
const Module = require("node:module");
const seen = { functions: [], hooks: [], model: null };
const core = {
  version: "3.10.1",
  hostVersion: "4.1000.0",
  registerFunction(metadata, callback) {
    seen.functions.push({ metadata, callback: typeof callback });
    return { dispose() {} };
  },
  registerHook(name, callback) {
    seen.hooks.push({ name, callback });
    return { dispose() {} };
  },
  setProgrammingModel(model) { seen.model = model.name; },
  getProgrammingModel() {},
  log() {},
};
const original = Module.prototype.require;
Module.prototype.require = function (id) {
  return id === "@azure/functions-core" ? core : original.apply(this, arguments);
};
globalThis.__worker = seen;
`;

/** Imports the app as the worker does, then runs its appTerminate hooks as at scale-in. */
const LOADER = `
const app = process.argv[2];
const { main } = JSON.parse((await import("node:fs")).readFileSync(app + "/package.json", "utf8"));
const started = performance.now();
await import(new URL(main, "file://" + app + "/").href);
const importMs = performance.now() - started;
const seen = globalThis.__worker;
for (const h of seen.hooks) if (h.name === "appTerminate") await h.callback({ hookData: {} });
console.log(JSON.stringify({
  importMs,
  model: seen.model,
  functions: seen.functions.map((f) => f.metadata),
  hooks: seen.hooks.map((h) => h.name),
}));
`;

interface Registered {
  readonly importMs: number;
  readonly model: string | null;
  readonly functions: ReadonlyArray<{
    name: string;
    bindings: Record<string, Record<string, unknown>>;
  }>;
  readonly hooks: readonly string[];
}

const temps: string[] = [];
afterAll(async () => {
  await Promise.all(temps.map((t) => rm(t, { recursive: true, force: true })));
});

async function tempDir(label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `dagq-${label}-`));
  temps.push(dir);
  return dir;
}

async function unpack(zip: Uint8Array): Promise<string> {
  const dir = await tempDir("app");
  for (const [name, data] of Object.entries(unzipSync(zip))) {
    if (name.endsWith("/")) continue;
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), data);
  }
  return dir;
}

/** Loads the app in a fresh Node process with nothing but the folder and the fake worker. */
async function load(app: string): Promise<Registered> {
  const tools = await tempDir("worker");
  await writeFile(join(tools, "worker.cjs"), FAKE_WORKER);
  await writeFile(join(tools, "load.mjs"), LOADER);
  const out = execFileSync(
    process.execPath,
    ["--require", join(tools, "worker.cjs"), join(tools, "load.mjs"), app],
    { cwd: app, env: { ...ENV, PATH: process.env.PATH ?? "" }, encoding: "utf8" },
  );
  return JSON.parse(out.trim().split("\n").pop()!) as Registered;
}

/** What the registry says must be registered, written as the worker's binding metadata. */
function expectedRegistrations(): Array<{ name: string; trigger: Record<string, unknown> }> {
  return functionTable(createRuntime(readConfig(ENV))).map((fn) => ({
    name: fn.name,
    trigger: byTrigger<Record<string, unknown>>(fn, {
      queue: ({ trigger }) => ({
        type: "queueTrigger",
        queueName: trigger.queue,
        connection: trigger.connection,
      }),
      timer: ({ trigger }) => ({
        type: "timerTrigger",
        schedule: trigger.schedule,
        runOnStartup: false,
      }),
      http: ({ trigger }) => ({
        type: "httpTrigger",
        methods: [...trigger.methods],
        route: trigger.route,
        authLevel: trigger.authLevel,
      }),
    }),
  }));
}

function triggerOf(f: Registered["functions"][number]): Record<string, unknown> {
  const triggers = Object.values(f.bindings).filter((b) => /Trigger$/.test(String(b.type)));
  expect(triggers, `${f.name}: one trigger binding`).toHaveLength(1);
  return triggers[0]!;
}

/** The oracle: the folder's files with .funcignore applied as gitignore rules, skipping ignored directories whole. */
function keptByFuncignore(folder: string): string[] {
  const rules = ignore().add(readFileSync(join(folder, ".funcignore"), "utf8"));
  const kept: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const rel = relative(folder, path).split(sep).join("/");
      if (statSync(path).isDirectory()) {
        if (!rules.ignores(`${rel}/`)) walk(path);
      } else if (!rules.ignores(rel)) kept.push(rel);
    }
  };
  walk(folder);
  return kept.sort();
}

function noNodeModulesAbove(dir: string): void {
  for (let d = dir; ; d = dirname(d)) {
    expect(existsSync(join(d, "node_modules")), `${d}/node_modules`).toBe(false);
    if (dirname(d) === d) return;
  }
}

describe("the deployment package (npm run package)", () => {
  const built = existsSync(ZIP);

  it("exists (npm test packages before vitest; run `npm run package` before vitest alone)", () => {
    expect(built).toBe(true);
  });

  it.runIf(built)("holds exactly what .funcignore keeps of the deployment folder", () => {
    const names = Object.keys(unzipSync(readFileSync(ZIP))).filter((n) => !n.endsWith("/"));
    expect(names.sort()).toEqual(keptByFuncignore(FOLDER));
    expect(names).toContain("host.json");
    expect(names).toContain("package.json");
    expect(names.some((n) => n.endsWith(".map"))).toBe(false);
  });

  it.runIf(built)(
    "is small, and loads from an empty folder under native ESM with every function of the registry registered",
    async () => {
      const zip = readFileSync(ZIP);
      expect(zip.byteLength).toBeLessThanOrEqual(MAX_ZIP_BYTES);
      const app = await unpack(zip);
      noNodeModulesAbove(app);
      expect(existsSync(join(app, "node_modules"))).toBe(false);
      const manifest = JSON.parse(readFileSync(join(app, "package.json"), "utf8")) as Record<
        string,
        unknown
      >;
      expect(manifest.type).toBe("module");
      expect(manifest.dependencies).toBeUndefined();
      expect(readFileSync(join(app, "host.json"), "utf8")).toBe(readFileSync("host.json", "utf8"));

      const loaded = await load(app);
      expect(loaded.model).toBe("@azure/functions");
      const registered = loaded.functions.map((f) => ({ name: f.name, trigger: triggerOf(f) }));
      const expected = expectedRegistrations();
      expect(registered.map((r) => r.name).sort()).toEqual(expected.map((e) => e.name).sort());
      for (const e of expected) {
        const r = registered.find((x) => x.name === e.name)!;
        expect(r.trigger, e.name).toMatchObject(e.trigger);
      }
      // Scale-in: the coordinator's flush and lease release run before the worker exits.
      expect(loaded.hooks).toEqual(["appTerminate"]);
      expect(loaded.importMs).toBeLessThan(MAX_IMPORT_MS);
    },
  );

  it.runIf(built)("bundles no emulator, CLI library or duplicate instrumentation", () => {
    const meta = JSON.parse(readFileSync("build/functionapp.meta.json", "utf8")) as {
      inputs: Record<string, unknown>;
    };
    const inputs = Object.keys(meta.inputs);
    for (const pkg of [
      "azurite",
      "commander",
      "cli-progress",
      "@azure/monitor-opentelemetry/", // the distro: HTTP and Azure SDK instrumentations
      "@opentelemetry/instrumentation",
      "@azure/opentelemetry-instrumentation-azure-sdk",
    ]) {
      expect(
        inputs.filter((i) => i.includes(`node_modules/${pkg}`)),
        pkg,
      ).toEqual([]);
    }
  });

  it("anchors every .funcignore pattern, since gitignore matches an unanchored one at any depth", () => {
    const patterns = readFileSync(".funcignore", "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
    expect(patterns.length).toBeGreaterThan(0);
    for (const p of patterns) expect(p, p).toMatch(/^!?\//);
  });

  it("copies the listed asset folders whole, nested src folders and Markdown included", async () => {
    const out = await tempDir("pkg");
    const fixture = "test/fixtures/packageAssets";
    const result = await buildPackage({
      root: process.cwd(),
      out: join(out, "functionapp"),
      zip: join(out, "functionapp.zip"),
      assets: [fixture],
    });
    const app = await unpack(readFileSync(join(out, "functionapp.zip")));
    for (const f of ["web/index.html", "web/src/app.js", "web/README.md"]) {
      expect(result.files, f).toContain(`${fixture}/${f}`);
      expect(readFileSync(join(app, fixture, f), "utf8")).toBe(
        readFileSync(join(fixture, f), "utf8"),
      );
    }
    const loaded = await load(app);
    expect(loaded.functions.length).toBe(expectedRegistrations().length);
  }, 120_000);
});
