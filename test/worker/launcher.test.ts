import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Launcher } from "../../src/worker/launcher.js";
import { runShellTask } from "../../src/worker/shellTask.js";

const task = (command: string, timeoutS: number | null = null) => ({
  command,
  env: {},
  inputs: {},
  workflowId: "wf-launcher",
  task: "t",
  attempt: 1,
  timeoutS,
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("task processes start from a small helper process", () => {
  it("the shell's parent is the helper, not this process, and the task runs as before", async () => {
    const r = await runShellTask(
      task('printf "{\\"ppid\\": $PPID}" > "$DAGQ_OUTPUT"; echo oops >&2; exit 0'),
    );
    expect(r.error).toBeUndefined();
    const ppid = (r.output as { ppid: number }).ppid;
    expect(ppid).not.toBe(process.pid);
    // The helper is a bare node, a child of this process.
    const stat = readFileSync(`/proc/${ppid}/stat`, "utf8");
    expect(Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])).toBe(process.pid);
    expect(r.stderrTail).toBe("oops\n");
  });

  it("exit codes, timeouts and output streams come through", async () => {
    const logs: string[] = [];
    const failed = await runShellTask({
      ...task("echo out; echo err >&2; exit 7"),
      onLog: (stream, chunk) => logs.push(`${stream}:${chunk.toString()}`),
    });
    expect(failed.exitCode).toBe(7);
    expect(logs.sort()).toEqual(["stderr:err\n", "stdout:out\n"]);
    const slow = await runShellTask(task("sleep 30", 1));
    expect(slow.timedOut).toBe(true);
    expect(slow.error).toMatch(/timed out/);
  });

  it("a helper that dies ends its running tasks with the reason; the next task gets a new helper", async () => {
    const launcher = new Launcher();
    const child = launcher.launch({
      command: "sleep 30",
      env: { PATH: process.env.PATH },
      cwd: undefined,
    });
    const spawned = new Promise<number>((r) => child.once("spawn", () => r(child.pid!)));
    const pid = await spawned;
    const helper = Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
    const errors: string[] = [];
    child.on("error", (e: Error) => errors.push(e.message));
    const closed = new Promise<unknown[]>((r) => child.once("close", (...a) => r(a)));
    process.kill(helper, "SIGKILL");
    expect(await closed).toEqual([null, null]);
    expect(errors[0]).toMatch(/the task launcher exited \(SIGKILL\)/);
    process.kill(-pid, "SIGKILL"); // what shellTask does on "exit"
    const next = launcher.launch({ command: "exit 3", env: {}, cwd: undefined });
    const code = await new Promise((r) => next.once("close", (c) => r(c)));
    expect(code).toBe(3);
    expect(alive(helper)).toBe(false);
  });
});
