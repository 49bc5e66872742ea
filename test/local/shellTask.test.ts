import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lastLines } from "../../src/worker/attemptError.js";
import { runShellTask } from "../../src/worker/shellTask.js";
import { TailBuffer } from "../../src/worker/tailBuffer.js";

const base = { env: {}, inputs: {}, workflowId: "wf", task: "t", attempt: 1, timeoutS: null };

describe("runShellTask", () => {
  it("streams stdout and stderr to onLog, keeps the stderr tail, runs in workDir", async () => {
    const logs: string[] = [];
    const result = await runShellTask({
      ...base,
      command: "pwd; echo oops >&2",
      workDir: "/tmp",
      onLog: (stream, chunk) => logs.push(`${stream}:${chunk.toString().trim()}`),
    });
    expect(result).toEqual({
      exitCode: 0,
      signal: null,
      output: undefined,
      timedOut: false,
      stderrTail: "oops\n",
    });
    expect(logs.sort()).toEqual(["stderr:oops", "stdout:/tmp"]);
  });

  it("gives onSpawn when the process was created, not when a busy event loop got to it", async () => {
    let at = Number.NaN;
    const ran = runShellTask({ ...base, command: "sleep 0.2", onSpawn: (_pid, t) => (at = t) });
    const busyUntil = Date.now() + 150; // the spawn event waits for this
    while (Date.now() < busyUntil) {}
    await ran;
    // The event's own time would leave about 50 ms of the 200 the command slept.
    expect(Date.now() - at).toBeGreaterThanOrEqual(190);
  });

  it("reports a timeout as such, with the SIGTERM that ended it", async () => {
    const result = await runShellTask({ ...base, command: "sleep 30", timeoutS: 0.2 });
    expect(result).toMatchObject({
      timedOut: true,
      signal: "SIGTERM",
      error: "timed out after 0.2s",
    });
  });

  it("escalates to SIGKILL when the command ignores SIGTERM", async () => {
    const result = await runShellTask({
      ...base,
      command: "trap '' TERM; sleep 30",
      timeoutS: 0.2,
      killGraceMs: 200,
    });
    expect(result).toMatchObject({ timedOut: true, signal: "SIGKILL" });
  });

  it("reports a process that could not start, naming the working directory", async () => {
    const result = await runShellTask({ ...base, command: "true", workDir: "/nonexistent/dir" });
    expect(result).toMatchObject({
      exitCode: null,
      error: "could not start /bin/sh in /nonexistent/dir: spawn /bin/sh ENOENT",
    });
  });

  it("does not start when the signal is already aborted", async () => {
    const result = await runShellTask({
      ...base,
      command: "exit 0",
      signal: AbortSignal.abort(),
    });
    expect(result).toMatchObject({ exitCode: null, error: "aborted before start" });
  });

  // What the task leaves in its scratch directory decides how it is removed (attemptDir.ts).
  it.each([
    ["only the contract's files", 'echo \'{"a":1}\' > "$DAGQ_OUTPUT"'],
    ["a tree the task made beside them", 'mkdir -p "$D/x/y" && touch "$D/x/y/z" "$D/w"'],
    ["a directory where its output goes", 'mkdir "$DAGQ_OUTPUT" && touch "$DAGQ_OUTPUT/f"'],
  ])("removes the attempt's directory, %s included", async (_, command) => {
    let dir = "";
    const result = await runShellTask({
      ...base,
      inputs: { p: [1] },
      params: { n: 2 },
      parentStates: { p: "completed" },
      mapItem: { index: 0, item: "i" },
      command: `D=$(dirname "$DAGQ_INPUTS"); echo "$D"; ${command}`,
      onLog: (_stream, chunk) => (dir += chunk.toString().trim()),
    });
    expect(result.exitCode).toBe(0);
    expect(dir).toMatch(/dagq-task-/);
    expect(existsSync(dir)).toBe(false);
  });

  it("gives the task every file of the contract, in one directory", async () => {
    let out = "";
    await runShellTask({
      ...base,
      inputs: { p: [1] },
      params: { n: 2 },
      parentStates: { p: "completed" },
      mapItem: { index: 3, item: "i" },
      command:
        'for f in "$DAGQ_INPUTS" "$DAGQ_PARAMS" "$DAGQ_PARENT_STATES" "$DAGQ_MAP_ITEM"; do cat "$f"; echo " $(dirname "$f")"; done',
      onLog: (_stream, chunk) => (out += chunk.toString()),
    });
    const lines = out.trim().split("\n");
    expect(lines.map((l) => l.split(" ")[0])).toEqual([
      '{"p":[1]}',
      '{"n":2}',
      '{"p":"completed"}',
      '"i"',
    ]);
    expect(new Set(lines.map((l) => l.split(" ")[1])).size).toBe(1);
  });
});

describe("stderr tail", () => {
  it("TailBuffer keeps only the last bytes across chunks", () => {
    const tail = new TailBuffer(8);
    for (const part of ["hello ", "wide ", "world"]) tail.push(Buffer.from(part));
    expect(tail.text()).toBe("de world");
  });

  it("TailBuffer drops a multi-byte character the cut split", () => {
    const tail = new TailBuffer(4);
    tail.push(Buffer.from("xé€")); // é is 2 bytes, € is 3: the cut keeps é's second byte
    expect(tail.text()).toBe("€");
  });

  it("lastLines starts at a line boundary when one fits, else marks the cut", () => {
    expect(lastLines("  short\n", 50)).toBe("short");
    expect(lastLines(`a\n${"b".repeat(10)}\nend`, 12)).toBe("end");
    expect(lastLines("c".repeat(20), 5)).toBe("…cccc");
  });
});
