import { randomUUID } from "node:crypto";
import {
  type ApplyOptions,
  applyEvents,
  type Command,
  type CompiledWorkflow,
  completedInputs,
  createRun,
  DagqError,
  ErrorCode,
  type Event,
  isTerminalWorkflow,
  mapItem,
  parentStates,
  type RerunRequest,
  type RunState,
  restore,
  type Summary,
  summarize,
  type Transition,
  taskName,
  taskSpec,
} from "../core/index.js";
import { toError } from "../toError.js";
import { AttemptLog, DEFAULT_LOG_LIMITS, type LogLimits } from "../worker/attemptLog.js";
import { fileLogTarget } from "../worker/logTargets.js";
import { runShellTask } from "../worker/shellTask.js";
import { DEFAULT_LOCAL_LOGS, localLogPath } from "./localLogs.js";
import { type LocalResult, localResult } from "./localResult.js";
import type { SavedState } from "./stateFile.js";
import { TaskPool } from "./taskPool.js";

export type { LocalResult, LocalTaskResult } from "./localResult.js";

export interface LocalOptions {
  readonly id?: string;
  /** Processes running at once; further dispatches wait their turn, oldest first. */
  readonly concurrency?: number;
  /** The core's flow-control window (dispatched and not yet finished). */
  readonly maxInFlight?: number;
  /** Called after every state change, with the O(1) summary. */
  readonly onProgress?: (summary: Summary, run: RunState) => void;
  /** Aborting cancels the workflow: running tasks are killed and the result is `cancelled`. */
  readonly signal?: AbortSignal;
  readonly clock?: () => number;
  /** Variables of this process tasks may see beyond the defaults (worker/taskEnvironment.ts). */
  readonly passEnv?: readonly string[];
  /** Working directory of the task commands; the current one by default. */
  readonly workDir?: string;
  /** Write each attempt's stdout and stderr under this folder (localLogs.ts); none without. */
  readonly logDir?: string;
  readonly logLimits?: LogLimits;
  /**
   * Resume a saved run instead of starting one: the rerun is applied to it first (a run saved
   * before it finished is cancelled first, since nothing of its processes is left).
   */
  readonly resume?: { readonly saved: SavedState; readonly rerun: RerunRequest };
  readonly onTaskLog?: (
    task: string,
    attempt: number,
    stream: "stdout" | "stderr",
    chunk: Buffer,
  ) => void;
}

/**
 * Runs a workflow in this process by driving the core reducer: it executes the commands the
 * reducer returns and reports what the processes did as events. Every decision (readiness,
 * conditions, retries, backoff, failure propagation, the final status) is the core's, so a
 * serverless run of the same workflow must end in the same states.
 */
export function runLocal(def: CompiledWorkflow, opts: LocalOptions = {}): Promise<LocalResult> {
  const clock = opts.clock ?? Date.now;
  const applyOpts = opts.maxInFlight === undefined ? {} : { maxInFlight: opts.maxInFlight };
  const pool = new TaskPool(opts.concurrency ?? 4);
  const created = start(def, opts, clock(), applyOpts);
  const run = created.run;
  // How to stop each dispatched attempt, whether it still waits for its delay, for a pool
  // slot, or already runs. Keyed by task and attempt, as the core's kill commands are.
  const live = new Map<string, { cancel: () => void }>();

  return new Promise((resolve) => {
    let finished = false;

    const apply = (events: Event[]) => {
      if (finished) return;
      execute(applyEvents(run, events, clock(), applyOpts).commands);
      opts.onProgress?.(summarize(run), run);
    };

    const execute = (commands: readonly Command[]) => {
      for (const cmd of commands) {
        switch (cmd.kind) {
          case "dispatch":
            dispatch(cmd.task, cmd.attempt, cmd.delayMs);
            break;
          case "kill": {
            const k = key(cmd.task, cmd.attempt);
            live.get(k)?.cancel();
            live.delete(k);
            break;
          }
          case "reopen":
            // Only workers of the serverless path read a cancellation signal.
            break;
          case "finish":
            finished = true;
            opts.signal?.removeEventListener("abort", onAbort);
            for (const attempt of live.values()) attempt.cancel();
            // Resolve only once every process has exited: callers may rely on nothing running.
            void pool.drain().then(() => resolve(localResult(run, cmd.status)));
            return;
        }
      }
    };

    const dispatch = (task: number, attempt: number, delayMs: number) => {
      const k = key(task, attempt);
      const ac = new AbortController();
      let withdraw = () => {};
      const timer = setTimeout(() => {
        withdraw = pool.submit(() => execAttempt(task, attempt, ac.signal));
      }, delayMs);
      live.set(k, {
        cancel: () => {
          clearTimeout(timer);
          withdraw();
          ac.abort();
        },
      });
    };

    const execAttempt = async (task: number, attempt: number, signal: AbortSignal) => {
      if (signal.aborted) return;
      const spec = taskSpec(run, task);
      const name = taskName(run, task);
      const item = mapItem(run, task);
      let event: Event;
      const logPath =
        opts.logDir === undefined ? null : localLogPath(opts.logDir, run.id, name, attempt);
      const log =
        logPath === null
          ? null
          : new AttemptLog(fileLogTarget(logPath), opts.logLimits ?? DEFAULT_LOG_LIMITS);
      try {
        const result = await runShellTask({
          command: spec.command,
          env: spec.env,
          inputs: Object.fromEntries(completedInputs(run, task)),
          ...(def.waitAll[run.taskOf(task)]
            ? { parentStates: Object.fromEntries(parentStates(run, task)) }
            : {}),
          params: def.params,
          ...(item ? { mapItem: item } : {}),
          workflowId: run.id,
          task: name,
          attempt,
          timeoutS: spec.timeoutS,
          signal,
          ...(opts.passEnv ? { passEnv: opts.passEnv } : {}),
          ...(opts.workDir === undefined ? {} : { workDir: opts.workDir }),
          ...((opts.onTaskLog || log) && {
            onLog: (stream, chunk) => {
              log?.write(stream, chunk);
              opts.onTaskLog?.(name, attempt, stream, chunk);
            },
          }),
          onSpawn: () => apply([{ kind: "started", task, attempt }]),
        });
        const logged = (await log?.close())?.written === true;
        // The same words as a worker's; `dagq logs` finds run-local's folder by itself.
        const local = opts.logDir === DEFAULT_LOCAL_LOGS ? "" : ` --local ${opts.logDir}`;
        const where = logged
          ? `\nwhole log: dagq logs ${run.id} ${name} --attempt ${attempt}${local}`
          : "";
        event =
          result.error === undefined
            ? { kind: "completed", task, attempt, output: result.output ?? null }
            : { kind: "failed", task, attempt, error: result.error + where };
      } catch (e) {
        event = { kind: "failed", task, attempt, error: `runner error: ${toError(e).message}` };
      }
      live.delete(key(task, attempt));
      apply([event]);
    };

    const onAbort = () => {
      const reason = opts.signal?.reason;
      apply([{ kind: "cancel", reason: typeof reason === "string" ? reason : "cancelled" }]);
    };

    opts.signal?.addEventListener("abort", onAbort, { once: true });
    execute(created.transition.commands);
    opts.onProgress?.(summarize(run), run);
    // The dispatches above only armed timers: nothing runs before this cancels them.
    if (opts.signal?.aborted) onAbort();
  });
}

/** A new run, or a saved one with the rerun applied; DagqError when there is nothing to rerun. */
function start(
  def: CompiledWorkflow,
  opts: LocalOptions,
  now: number,
  applyOpts: ApplyOptions,
): { run: RunState; transition: Transition } {
  if (!opts.resume) return createRun(def, opts.id ?? randomUUID(), now, applyOpts);
  const { saved, rerun } = opts.resume;
  const run = restore(def, saved.id, saved.snapshot);
  const events: Event[] = [];
  if (!isTerminalWorkflow(run.wf.status))
    events.push({ kind: "cancel", reason: "the run that saved this state stopped before the end" });
  events.push({ kind: "rerun", ...rerun });
  const transition = applyEvents(run, events, now, applyOpts);
  const refused = transition.ignored.find((x) => x.event.kind === "rerun");
  if (refused) throw new DagqError(ErrorCode.INVALID_STATE, `cannot resume: ${refused.why}`);
  return { run, transition };
}

function key(task: number, attempt: number): string {
  return `${task}:${attempt}`;
}
