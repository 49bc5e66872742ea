import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compileDefinition, type Summary, type TaskDefinitionInput } from "../../src/core/index.js";
import { runLocal } from "../../src/local/runner.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dagq-control-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const workflow = (tasks: TaskDefinitionInput[]) => compileDefinition({ name: "t", tasks });

async function waitFor(path: string, timeoutMs = 5000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (existsSync(path)) {
      const text = readFileSync(path, "utf8").trim();
      if (text !== "") return text;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${path} did not appear`);
}

/**
 * Live members of a process group, from /proc (Linux). `kill(-pgid, 0)` would also count
 * zombies, which stay in the group until init reaps them and are already dead.
 */
function liveMembers(pgid: number): number[] {
  const live: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // pid (comm) state ppid pgrp ...; comm may contain spaces, so split after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z") live.push(Number(entry));
  }
  return live;
}

/** The most intervals open at one instant; an end at the same ms as a start closes first. */
function maxOverlap(log: string): number {
  const events = readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .map((line) => line.split(" "))
    .map(([kind, t]) => ({ delta: kind === "s" ? 1 : -1, t: Number(t) }))
    .sort((a, b) => a.t - b.t || a.delta - b.delta);
  let open = 0;
  let max = 0;
  for (const e of events) {
    open += e.delta;
    max = Math.max(max, open);
  }
  return max;
}

/** A task that logs its start, sleeps 300 ms, and logs its end, all in one process. */
function timed(name: string, log: string): TaskDefinitionInput {
  return {
    name,
    command: `node -e 'const fs = require("node:fs"); const log = "${log}";
      fs.appendFileSync(log, "s " + Date.now() + "\\n");
      setTimeout(() => fs.appendFileSync(log, "e " + Date.now() + "\\n"), 300)'`,
  };
}

describe("runLocal: cancellation", () => {
  it("abort kills the running task's whole process group and cancels the rest", async () => {
    const pidFile = join(dir, "pid");
    const def = workflow([
      { name: "long", command: `sleep 30 & echo $$ > "${pidFile}"; sleep 30; wait` },
      { name: "next", depends_on: ["long"], command: "true" },
    ]);
    const abort = new AbortController();
    const started = Date.now();
    // The pid file can appear before the launcher's word that the process exists reaches the
    // runner, which counts the attempt only then: abort once both have happened.
    let counted: () => void = () => {};
    const isRunning = new Promise<void>((resolve) => (counted = resolve));
    const running = runLocal(def, {
      signal: abort.signal,
      onProgress: (s) => s.counts.running === 1 && counted(),
    });
    const pgid = Number(await waitFor(pidFile));
    await isRunning;
    expect(liveMembers(pgid).length).toBeGreaterThanOrEqual(2); // sh and its sleeps
    abort.abort("stop it");
    const result = await running;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.status).toBe("cancelled");
    expect(result.tasks.long).toEqual({
      status: "cancelled",
      attempts: 1,
      output: null,
      reason: "stop it",
    });
    expect(result.tasks.next).toEqual({
      status: "cancelled",
      attempts: 0,
      output: null,
      reason: "stop it",
    });
    // runLocal resolves only after the processes are gone, background jobs included.
    expect(liveMembers(pgid)).toEqual([]);
  });

  it("an already aborted signal cancels before anything runs", async () => {
    const marker = join(dir, "ran");
    const abort = new AbortController();
    abort.abort();
    const result = await runLocal(workflow([{ name: "a", command: `touch "${marker}"` }]), {
      signal: abort.signal,
    });
    expect(result.status).toBe("cancelled");
    expect(result.tasks.a?.reason).toBe("cancelled");
    expect(existsSync(marker)).toBe(false);
  });
});

describe("runLocal: bounds", () => {
  it("never runs more than `concurrency` processes at once", async () => {
    const log = join(dir, "times.log");
    const tasks = ["a", "b", "c", "d", "e", "f"].map((n) => timed(n, log));
    let mostRunning = 0;
    const result = await runLocal(workflow(tasks), {
      concurrency: 2,
      onProgress: (s) => {
        mostRunning = Math.max(mostRunning, s.counts.running);
      },
    });
    expect(result.status).toBe("completed");
    expect(readFileSync(log, "utf8").trim().split("\n")).toHaveLength(12);
    // The processes' own clocks: never more than two alive at once.
    expect(maxOverlap(log)).toBeLessThanOrEqual(2);
    // And the pool did use both slots (started events arrive ms apart, exits 300+ ms later).
    expect(mostRunning).toBe(2);
  });

  it("honours the core's maxInFlight window below the pool size", async () => {
    const log = join(dir, "times.log");
    const tasks = ["a", "b", "c"].map((n) => timed(n, log));
    const result = await runLocal(workflow(tasks), { concurrency: 8, maxInFlight: 1 });
    expect(result.status).toBe("completed");
    expect(maxOverlap(log)).toBe(1);
  });

  it("reports progress after every change, ending with every task terminal", async () => {
    const seen: Summary[] = [];
    const def = workflow([
      { name: "a", command: "true" },
      { name: "b", depends_on: ["a"], command: "true" },
    ]);
    await runLocal(def, { onProgress: (s) => seen.push(s) });
    expect(seen[0]?.counts).toMatchObject({ ready: 1, pending: 1 });
    expect(seen.some((s) => s.counts.running === 1)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ status: "completed", counts: { completed: 2 } });
  });
});
