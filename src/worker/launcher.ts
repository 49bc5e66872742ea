import { type ChildProcess, spawn } from "node:child_process";
import { EventEmitter } from "node:events";

/**
 * Starts task processes from a small helper process instead of this one. Node starts a child
 * by forking the whole parent first, and the fork's cost grows with the parent's memory:
 * measured here, 1.4 ms of CPU per spawn from a 56 MB process and 7.7 ms from a 267 MB one,
 * and half of an in-memory fan-out's CPU went to spawn from a worker of ~150 MB. The helper
 * is a bare Node (~40 MB) that only spawns, so the fork is cheap, and the worker pays an IPC
 * message instead. No library does this; it is the smallest thing that does.
 *
 * The helper speaks over Node's IPC channel with structured-clone serialization (so output
 * chunks travel as bytes). It dies with its parent (the channel closes). If it dies first, the
 * tasks it started end with an error saying so (their process groups killed by the caller, as
 * at any exit), and the next task starts a new helper.
 */
const HELPER_SOURCE = `
const { spawn } = require("node:child_process");
const send = (m) => process.connected && process.send(m);
process.on("disconnect", () => process.exit(0));
process.on("message", (m) => {
  let child;
  try {
    child = spawn("/bin/sh", ["-c", m.command], {
      cwd: m.cwd, env: m.env, detached: true, stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (e) {
    send({ id: m.id, ev: "error", message: String(e && e.message || e) });
    send({ id: m.id, ev: "close", code: null, signal: null });
    return;
  }
  child.on("spawn", () => send({ id: m.id, ev: "spawn", pid: child.pid }));
  child.on("error", (e) => send({ id: m.id, ev: "error", message: e.message }));
  child.stdout.on("data", (d) => send({ id: m.id, ev: "stdout", data: d }));
  child.stderr.on("data", (d) => send({ id: m.id, ev: "stderr", data: d }));
  child.on("exit", () => send({ id: m.id, ev: "exit" }));
  child.on("close", (code, signal) => send({ id: m.id, ev: "close", code, signal }));
});
`;

/** What a started task looks like to its caller: the parts of a ChildProcess shellTask uses. */
export interface LaunchedProcess extends EventEmitter {
  pid: number | undefined;
  readonly stdout: EventEmitter;
  readonly stderr: EventEmitter;
}

export interface LaunchRequest {
  readonly command: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string | undefined;
}

type HelperEvent =
  | { id: number; ev: "spawn"; pid: number }
  | { id: number; ev: "error"; message: string }
  | { id: number; ev: "stdout" | "stderr"; data: Uint8Array }
  | { id: number; ev: "exit" }
  | { id: number; ev: "close"; code: number | null; signal: NodeJS.Signals | null };

class Launched extends EventEmitter implements LaunchedProcess {
  pid: number | undefined = undefined;
  readonly stdout = new EventEmitter();
  readonly stderr = new EventEmitter();
}

export class Launcher {
  private helper: ChildProcess | null = null;
  private readonly running = new Map<number, Launched>();
  private next = 1;

  /** `/bin/sh -c command` in a process group of its own, as `spawn(..., {detached})` would. */
  launch(req: LaunchRequest): LaunchedProcess {
    const helper = this.ensureHelper();
    const id = this.next++;
    const child = new Launched();
    this.running.set(id, child);
    this.hold();
    helper.send({ id, command: req.command, env: req.env, cwd: req.cwd });
    return child;
  }

  private ensureHelper(): ChildProcess {
    if (this.helper) return this.helper;
    const helper = spawn(process.execPath, ["-e", HELPER_SOURCE], {
      // Nothing of this process's options (a loader, inspector flags) belongs in the helper.
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      serialization: "advanced",
      // Out of the terminal's process group, as the tasks are: a Ctrl-C is this process's to
      // handle (dev cancels the workflow first), not a signal that kills every task at once.
      detached: true,
    });
    // The helper keeps this process alive only while tasks run (see hold).
    helper.unref();
    helper.on("message", (m: HelperEvent) => this.deliver(m));
    const gone = (why: string) => {
      if (this.helper !== helper) return;
      this.helper = null;
      for (const [id, child] of this.running) {
        this.running.delete(id);
        child.emit("error", new Error(why));
        child.emit("exit"); // the caller kills what the task left running (its group)
        child.emit("close", null, null);
      }
    };
    helper.on("exit", (code, signal) =>
      gone(`the task launcher exited (${signal ?? `code ${code}`})`),
    );
    helper.on("error", (e) => gone(`the task launcher failed: ${e.message}`));
    this.helper = helper;
    return helper;
  }

  private deliver(m: HelperEvent): void {
    const child = this.running.get(m.id);
    if (!child) return;
    switch (m.ev) {
      case "spawn":
        child.pid = m.pid;
        child.emit("spawn");
        break;
      case "error":
        child.emit("error", new Error(m.message));
        break;
      case "stdout":
      case "stderr":
        child[m.ev].emit("data", Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
        break;
      case "exit":
        child.emit("exit");
        break;
      case "close":
        this.running.delete(m.id);
        this.hold();
        child.emit("close", m.code, m.signal);
        break;
    }
  }

  /**
   * A running task keeps this process alive, as a child's pipes would; an idle helper does
   * not (a CLI that ran its tasks exits without stopping it).
   */
  private hold(): void {
    const channel = this.helper?.channel as { ref(): void; unref(): void } | undefined;
    if (this.running.size > 0) channel?.ref();
    else channel?.unref();
  }
}
