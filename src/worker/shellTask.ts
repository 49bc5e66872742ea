import type { Json } from "../core/index.js";
import { toError } from "../toError.js";
import { AttemptDir } from "./attemptDir.js";
import { attemptError, type Ended } from "./attemptError.js";
import { Launcher } from "./launcher.js";
import { TailBuffer } from "./tailBuffer.js";
import { inheritedEnvironment } from "./taskEnvironment.js";
import { readTaskOutput } from "./taskOutput.js";

/**
 * Runs one attempt of a task as `/bin/sh -c command` and reports how it ended. Shared by the
 * local runner and the worker, so it knows nothing about runs or queues: the caller turns the
 * result into a `completed` or `failed` event.
 *
 * The shell leads its own process group, so a timeout or an abort stops everything the command
 * started (pipelines, background jobs), not just the shell: SIGTERM to the group, SIGKILL after
 * a grace period. Processes the command leaves behind after the shell exits are killed too: a
 * task owns nothing once its attempt has ended.
 */
export interface ShellTaskRequest {
  readonly command: string;
  readonly env: Readonly<Record<string, string>>;
  /** The outputs of the direct parents that completed, keyed by parent name. */
  readonly inputs: Readonly<Record<string, Json>>;
  /** Every parent's state by name, for `always` and `all_settled` tasks: `DAGQ_PARENT_STATES`. */
  readonly parentStates?: Readonly<Record<string, string>>;
  /** The workflow's parameters: `DAGQ_PARAMS` (a file) and one `DAGQ_PARAM_<name>` each. */
  readonly params?: Readonly<Record<string, Json>>;
  /** For an instance of a map: `DAGQ_MAP_INDEX` and `DAGQ_MAP_ITEM` (a file holding the item). */
  readonly mapItem?: { readonly index: number; readonly item: Json };
  readonly workflowId: string;
  readonly task: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly timeoutS: number | null;
  readonly signal?: AbortSignal;
  /** The command's working directory; the current one by default. */
  readonly workDir?: string;
  /** Receives the command's stdout and stderr as they arrive; without it they are discarded. */
  readonly onLog?: (stream: "stdout" | "stderr", chunk: Buffer) => void;
  /**
   * Called once the process exists: the moment to report the attempt `started`. `at` is when it
   * was created: the spawn event comes later on a busy event loop (tens of ms under load).
   */
  readonly onSpawn?: (pid: number, at: number) => void;
  /** Variables of this process the task may see beyond the defaults (taskEnvironment.ts). */
  readonly passEnv?: readonly string[];
  /** Between SIGTERM and SIGKILL. */
  readonly killGraceMs?: number;
}

export interface ShellTaskResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly output: Json | undefined;
  /** Set when the attempt failed; the reason a `failed` event carries. */
  readonly error?: string;
  readonly timedOut: boolean;
  /** The last few KiB of stderr. */
  readonly stderrTail: string;
}

const STDERR_TAIL_BYTES = 4096;
const DEFAULT_GRACE_MS = 2000;

/** Process groups of attempts still running, so a hard exit can take them down too. */
const liveGroups = new Set<number>();

/** SIGKILLs every task process group this process started that is still alive. Synchronous. */
export function killAllShellTasks(): void {
  for (const pgid of liveGroups) signalGroup(pgid, "SIGKILL");
}

export async function runShellTask(req: ShellTaskRequest): Promise<ShellTaskResult> {
  if (req.signal?.aborted) return notStarted("aborted before start");
  const dir = AttemptDir.create();
  try {
    const inputsPath = dir.write("inputs.json", JSON.stringify(req.inputs));
    const statesPath =
      req.parentStates === undefined
        ? undefined
        : dir.write("parent_states.json", JSON.stringify(req.parentStates));
    const paramsPath = dir.write("params.json", JSON.stringify(req.params ?? {}));
    const itemPath =
      req.mapItem === undefined
        ? undefined
        : dir.write("map_item.json", JSON.stringify(req.mapItem.item));
    const outputPath = dir.file("output.json");
    const ended = await spawnAndWait(req, {
      ...inheritedEnvironment(process.env, req.passEnv),
      ...req.env,
      ...paramVariables(req.params ?? {}),
      DAGQ_PARAMS: paramsPath,
      DAGQ_WORKFLOW_ID: req.workflowId,
      DAGQ_TASK: req.task,
      DAGQ_ATTEMPT: String(req.attempt),
      DAGQ_INPUTS: inputsPath,
      DAGQ_OUTPUT: outputPath,
      ...(statesPath === undefined ? {} : { DAGQ_PARENT_STATES: statesPath }),
      ...(itemPath === undefined
        ? {}
        : { DAGQ_MAP_INDEX: String(req.mapItem!.index), DAGQ_MAP_ITEM: itemPath }),
    });
    const base = {
      exitCode: ended.spawnError === null ? ended.exitCode : null,
      signal: ended.signal,
      timedOut: ended.timedOut,
      stderrTail: ended.stderrTail,
    };
    const failure = attemptError(ended, req.timeoutS, req.workDir);
    if (failure !== undefined) return { ...base, output: undefined, error: failure };
    const output = await readTaskOutput(outputPath);
    return output.ok
      ? { ...base, output: output.value }
      : { ...base, output: undefined, error: output.error };
  } finally {
    await dir.remove();
  }
}

/**
 * Why no process can start with this command and environment, if none can: a NUL byte passes
 * the definition's checks (JSON strings may hold one) but not the kernel's, and spawn throws.
 * Checked here so the attempt fails with the reason instead of the caller seeing a throw.
 */
function unstartable(command: string, env: NodeJS.ProcessEnv): string | null {
  const nul = (s: string | undefined) => s?.includes("\u0000") === true;
  if (nul(command) || Object.entries(env).some(([k, v]) => nul(k) || nul(v)))
    return "the command or an environment variable holds a NUL byte";
  return null;
}

/** `DAGQ_PARAM_<name>`: a string as it is, any other value as its JSON. */
export function paramVariables(params: Readonly<Record<string, Json>>): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(params))
    vars[`DAGQ_PARAM_${name}`] = typeof value === "string" ? value : JSON.stringify(value);
  return vars;
}

function spawnAndWait(req: ShellTaskRequest, env: NodeJS.ProcessEnv): Promise<Ended> {
  const notSpawned = (spawnError: string): Ended => ({
    exitCode: null,
    signal: null,
    timedOut: false,
    aborted: false,
    spawnError,
    stderrTail: "",
  });
  const cannot = unstartable(req.command, env);
  if (cannot !== null) return Promise.resolve(notSpawned(cannot));
  let child: ReturnType<typeof spawnShell>;
  const spawnedAt = Date.now();
  try {
    child = spawnShell(req, env);
  } catch (e) {
    // Any other argument spawn refuses outright: still a start that failed, not a throw.
    return Promise.resolve(notSpawned(toError(e).message));
  }
  return new Promise((resolve) => {
    const tail = new TailBuffer(STDERR_TAIL_BYTES);
    const state = { timedOut: false, aborted: false, spawnError: null as string | null };
    let graceTimer: NodeJS.Timeout | undefined;
    // A stop asked for before the launcher said the process exists is carried out when it does.
    let stopWanted = false;
    const stop = () => {
      stopWanted = true;
      if (child.pid === undefined || graceTimer !== undefined) return;
      const pid = child.pid;
      signalGroup(pid, "SIGTERM");
      graceTimer = setTimeout(
        () => signalGroup(pid, "SIGKILL"),
        req.killGraceMs ?? DEFAULT_GRACE_MS,
      );
    };
    const timeoutTimer =
      req.timeoutS === null
        ? undefined
        : setTimeout(() => {
            state.timedOut = true;
            stop();
          }, req.timeoutS * 1000);
    const onAbort = () => {
      state.aborted = true;
      stop();
    };
    // runShellTask saw the signal not aborted, and nothing has awaited since.
    req.signal?.addEventListener("abort", onAbort, { once: true });

    child.stdout.on("data", (chunk: Buffer) => req.onLog?.("stdout", chunk));
    child.stderr.on("data", (chunk: Buffer) => {
      tail.push(chunk);
      req.onLog?.("stderr", chunk);
    });
    child.on("spawn", () => {
      liveGroups.add(child.pid!);
      req.onSpawn?.(child.pid!, spawnedAt);
      if (stopWanted) stop();
    });
    child.on("error", (err) => {
      state.spawnError = err.message;
    });
    child.on("exit", () => {
      // Whatever the shell left running would hold the pipes open and outlive the attempt.
      if (child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
    });
    child.on("close", (exitCode, signal) => {
      clearTimeout(timeoutTimer);
      clearTimeout(graceTimer);
      req.signal?.removeEventListener("abort", onAbort);
      if (child.pid !== undefined) liveGroups.delete(child.pid);
      resolve({ exitCode, signal, ...state, stderrTail: tail.text() });
    });
  });
}

/** One per process: task processes start from its small helper (see launcher.ts). */
const launcher = new Launcher();

function spawnShell(req: ShellTaskRequest, env: NodeJS.ProcessEnv) {
  return launcher.launch({ command: req.command, env, cwd: req.workDir });
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function notStarted(error: string): ShellTaskResult {
  return {
    exitCode: null,
    signal: null,
    output: undefined,
    error,
    timedOut: false,
    stderrTail: "",
  };
}
