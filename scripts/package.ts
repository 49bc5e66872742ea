/**
 * `npm run package`: the Function App's deployment folder and zip.
 *
 *   build/functionapp/       package.json (minimal, no dependencies), host.json, .funcignore,
 *                            dist/index.js (+ lazily loaded chunks) bundled by esbuild, and the
 *                            asset folders below
 *   build/functionapp.zip    that folder with .funcignore applied: what gets deployed
 *   build/functionapp.meta.json  esbuild's metafile (which input weighs what), for size work
 *
 * azd runs this script itself (`npm run package`, after `npm run build`) and deploys the folder
 * that azure.yaml's `dist` names, applying its .funcignore; `az functionapp deployment source
 * config-zip --src build/functionapp.zip` deploys the zip. See infra/README.md.
 *
 * Why a bundle: the app's production node_modules weigh about 400 MB (the Azure SDKs ship ESM,
 * CommonJS, browser builds and maps of everything), which azd would upload unpruned. Bundled,
 * only the code the entry point reaches is shipped, minified, in one folder with nothing to
 * install.
 */
import { copyFile, cp, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { zipSync } from "fflate";
import ignore from "ignore";

/**
 * Folders the Function App reads or serves at run time, relative to the repository root, each
 * copied to the same relative path in the deployment folder. Whatever `npm run build` produces
 * for the app besides the code (the web dashboard's static assets, say `dist/web`) is listed
 * here; the bundle covers all code.
 */
export const ASSET_FOLDERS: readonly string[] = ["dist/web"];

/**
 * Resolved by the Functions Node worker at run time, never bundled: the worker answers
 * `require("@azure/functions-core")` itself with the API that functions register through.
 */
const PROVIDED_BY_WORKER = ["@azure/functions-core"];

/**
 * The bundle is ESM, but CommonJS dependencies inside it call `require` for Node built-ins and
 * for `@azure/functions-core`; esbuild's shim throws in ESM unless a real `require` is in scope.
 * One made by createRequire goes through Module.prototype.require, where the worker answers.
 */
const REQUIRE_BANNER =
  'import { createRequire as __dagqCreateRequire } from "node:module"; const require = __dagqCreateRequire(import.meta.url);';

export interface PackageOptions {
  /** The repository root. */
  readonly root: string;
  /** The deployment folder; emptied first. */
  readonly out: string;
  readonly zip: string;
  readonly assets?: readonly string[];
}

export interface PackageResult {
  /** The zip's entries, `/`-separated, sorted. */
  readonly files: readonly string[];
  readonly zipBytes: number;
  /** Every source file esbuild put into the bundle, relative to the root. */
  readonly inputs: readonly string[];
}

export async function buildPackage(opts: PackageOptions): Promise<PackageResult> {
  const { root, out } = opts;
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as {
    version: string;
    engines?: Record<string, string>;
  };

  const built = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { index: "src/functions/index.ts" },
    outdir: join(out, "dist"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // Code reached only through `await import()` (rare SDK paths) becomes chunks loaded on use.
    splitting: true,
    minify: true,
    // Stack traces in Application Insights keep function and class names.
    keepNames: true,
    // Written for local debugging of the bundle; .funcignore keeps them out of the upload.
    sourcemap: "external",
    legalComments: "none",
    external: PROVIDED_BY_WORKER,
    banner: { js: REQUIRE_BANNER },
    metafile: true,
    logLevel: "warning",
  });
  await writeFile(join(dirname(out), `${basename(out)}.meta.json`), JSON.stringify(built.metafile));

  const manifest = {
    name: "dagq-functionapp",
    version: pkg.version,
    description: "dagq's Function App, bundled (npm run package); nothing to install",
    private: true,
    type: "module",
    main: "dist/index.js",
    ...(pkg.engines ? { engines: pkg.engines } : {}),
  };
  await writeFile(join(out, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  await copyFile(join(root, "host.json"), join(out, "host.json"));
  await copyFile(join(root, ".funcignore"), join(out, ".funcignore"));
  for (const folder of opts.assets ?? ASSET_FOLDERS) {
    await cp(join(root, folder), join(out, folder), { recursive: true, errorOnExist: false });
  }

  const files = await deployedFiles(out);
  const entries: Record<string, [Uint8Array, { mtime: Date }]> = {};
  // A fixed timestamp: the same sources give the same zip.
  const mtime = new Date("2000-01-01T00:00:00Z");
  for (const f of files) entries[f] = [await readFile(join(out, f)), { mtime }];
  const zip = zipSync(entries, { level: 9 });
  await mkdir(dirname(opts.zip), { recursive: true });
  await writeFile(opts.zip, zip);
  return {
    files,
    zipBytes: zip.byteLength,
    inputs: Object.keys(built.metafile.inputs).sort(),
  };
}

/**
 * The folder's files that .funcignore (gitignore rules, as azd and Core Tools read it) keeps.
 * An ignored directory is skipped whole, as git and azd's copy do.
 */
async function deployedFiles(folder: string): Promise<string[]> {
  const rules = ignore().add(await readFile(join(folder, ".funcignore"), "utf8"));
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(folder, path).split(sep).join("/");
      if (entry.isDirectory()) {
        if (!rules.ignores(`${rel}/`)) await walk(path);
      } else if (!rules.ignores(rel)) {
        files.push(rel);
      }
    }
  };
  await walk(folder);
  return files.sort();
}

function basename(path: string): string {
  return path.split(sep).filter(Boolean).pop() ?? path;
}

async function main(): Promise<void> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const out = join(root, "build", "functionapp");
  const zip = join(root, "build", "functionapp.zip");
  const result = await buildPackage({ root, out, zip });
  const bundle = (await stat(join(out, "dist", "index.js"))).size;
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;
  process.stdout.write(
    `${relative(root, zip)}: ${mb(result.zipBytes)}, ${result.files.length} files (dist/index.js ${mb(bundle)})\n`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`package: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
