/**
 * The built CLI the chaos run starts its processes with, refused when missing or older than
 * the sources: a run of stale code would report on something that is not the code under test.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export function repoFile(path: string): string {
  return join(ROOT, path);
}

export function builtCli(): string {
  const cli = repoFile("dist/cli/main.js");
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  const built = statSync(cli).mtimeMs;
  const newer = newestSource(repoFile("src"));
  if (newer && newer.mtimeMs > built)
    throw new Error(`${newer.path} is newer than ${cli}: run \`npm run build\` first`);
  return cli;
}

function newestSource(dir: string): { path: string; mtimeMs: number } | null {
  let newest: { path: string; mtimeMs: number } | null = null;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const path = join(entry.parentPath, entry.name);
    const { mtimeMs } = statSync(path);
    if (!newest || mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
  }
  return newest;
}
