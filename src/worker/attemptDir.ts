import { mkdtempSync, rmdirSync, unlinkSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * An attempt's scratch directory: the files of the `DAGQ_*` contract that the worker writes
 * (inputs, params, ...) and the path of `$DAGQ_OUTPUT`, which the task may write.
 *
 * Made and removed with synchronous calls on purpose. Through fs/promises the dozen calls
 * (make, three per file written, lstat, readdir, unlink and rmdir to remove) cost 1.2–1.7 ms
 * of CPU per attempt, each a thread-pool hop and a promise; synchronously 0.3–0.8 ms, with the
 * event loop held about as long. In a profiled fan-out of `true` tasks that was about a
 * seventh of a worker's CPU. Only the files named here are removed that way: a directory the
 * task filled with more is removed asynchronously, so a task that leaves a big tree behind
 * cannot stall the worker.
 */
export class AttemptDir {
  private readonly files: string[] = [];

  private constructor(readonly path: string) {}

  static create(): AttemptDir {
    return new AttemptDir(mkdtempSync(join(tmpdir(), "dagq-task-")));
  }

  /** Writes `name` in the directory; its path. */
  write(name: string, text: string): string {
    const path = this.file(name);
    writeFileSync(path, text);
    return path;
  }

  /** The path of `name`, to be removed with the directory (the task may write it). */
  file(name: string): string {
    const path = join(this.path, name);
    this.files.push(path);
    return path;
  }

  /** Never throws: a leftover temp dir is not worth failing an attempt that succeeded. */
  async remove(): Promise<void> {
    for (const path of this.files) {
      try {
        unlinkSync(path);
      } catch {
        // Not written (an output the task did not set), or no longer a file: rm below.
      }
    }
    try {
      rmdirSync(this.path);
    } catch {
      await rm(this.path, { recursive: true, force: true }).catch(() => {});
    }
  }
}
