/**
 * What the states must be: `dagq run-local FILE --json` on the chaos run's file, the built CLI
 * in a process of its own, its tasks logging to a log of their own.
 */
import { spawn } from "node:child_process";
import type { LocalResult } from "../../src/local/localResult.js";
import { LOG_VARIABLE } from "./chaosWorkflow.js";

/** run-local's exit codes for a run that ended: completed, or failed. */
const ENDED = new Set([0, 1]);

export function localReference(cli: string, file: string, logFile: string): Promise<LocalResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [cli, "run-local", file, "--json", "--concurrency", "8", "--pass-env", LOG_VARIABLE],
      { env: { ...process.env, [LOG_VARIABLE]: logFile }, stdio: ["ignore", "pipe", "pipe"] },
    );
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => {
      err = (err + c.toString("utf8")).slice(-2000);
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code === null || !ENDED.has(code)) {
        reject(new Error(`dagq run-local exited with ${code}: ${err.trim()}`));
        return;
      }
      try {
        resolve(JSON.parse(Buffer.concat(out).toString("utf8")) as LocalResult);
      } catch (e) {
        reject(new Error(`dagq run-local printed no JSON result: ${String(e)}`));
      }
    });
  });
}
