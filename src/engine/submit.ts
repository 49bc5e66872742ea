import {
  type CompiledWorkflow,
  compileDefinition,
  createRun,
  DagqError,
  ErrorCode,
  type ParamValues,
  summarize,
  type WorkflowState,
  wakeAt,
} from "../core/index.js";
import { definitionHash } from "../definitionHash.js";
import { ConflictError } from "../storage/ports.js";
import { type Engine, newWorkflowId } from "./context.js";
import { checkServiceBusQueues } from "./queueAllowList.js";
import type { LoadedState } from "./stateStore.js";

export interface Submitted {
  readonly id: string;
  /** `pending` or `running` when new; whatever it is now when the id named an existing one. */
  readonly status: WorkflowState;
  readonly tasks: number;
}

export interface SubmitOptions {
  /** A client-chosen id (an idempotency key): the same id and definition make one workflow. */
  readonly id?: string;
  /** Parameter values in place of the definition's defaults. */
  readonly params?: ParamValues;
}

export interface SubmitResult extends Submitted {
  /** False when the id named this very workflow already (a retry): nothing new was made. */
  readonly created: boolean;
}

/**
 * Validates and stores a workflow, indexes it, and dispatches its roots (or leaves it pending
 * for admission when a limit on running workflows is set). The state is written before any
 * task is dispatched, so a worker never reports on a workflow that does not exist yet; the
 * first dispatch is an ordinary coordinator cycle, and if it does not happen (a crash right
 * here), the index row's wake-up time makes the next sweep do it.
 *
 * With a client-chosen id, a retry is safe: the same id with the same definition (parameters
 * resolved) answers with the workflow that exists, whatever happened to the first try; a
 * creation that stopped between the definition blob and the head (a crash) is finished, never
 * made twice. Another definition under the id, or an id purged within the hour, is a conflict:
 * a DagqError INVALID_STATE (409) that says which.
 */
export async function submitWorkflow(
  engine: Engine,
  input: unknown,
  opts: SubmitOptions = {},
): Promise<SubmitResult> {
  const def = compileDefinition(input, opts.params ? { params: opts.params } : {});
  checkServiceBusQueues(def, engine.config.serviceBusNamespaces);
  const now = engine.clock();
  if (opts.id === undefined) return create(engine, def, newWorkflowId(now), now);
  const id = opts.id;
  const purgedAt = await engine.index.purgedAt(id);
  if (purgedAt !== null)
    throw conflict(
      id,
      `workflow ${id} was purged at ${new Date(purgedAt).toISOString()}; its id is free again an hour after that: choose another`,
    );
  try {
    return await create(engine, def, id, now);
  } catch (e) {
    if (!(e instanceof ConflictError && e.code === "EXISTS")) throw e;
  }
  const stored = await engine.state.definitionHash(id);
  if (stored !== definitionHash(def.definition))
    throw conflict(
      id,
      stored === null
        ? `workflow ${id} was deleted while this request ran: submit again`
        : `workflow ${id} exists with another definition (or other parameters)`,
    );
  const { run } = createRun(def, id, now, { admitted: admittedNow(engine), dispatchReady: false });
  if (await engine.state.finishCreate(id, def, run)) return started(engine, id, now, run);
  return existing(engine, id, now);
}

async function create(
  engine: Engine,
  def: CompiledWorkflow,
  id: string,
  now: number,
): Promise<SubmitResult> {
  const { run } = createRun(def, id, now, { admitted: admittedNow(engine), dispatchReady: false });
  const version = await engine.state.create(id, def, run);
  return started(engine, id, now, run, { run, version });
}

function admittedNow(engine: Engine): boolean {
  return engine.config.maxRunningWorkflows === 0;
}

/**
 * The state is written: index it and make the first dispatch, from the state in hand when this
 * call wrote all of it (`created`).
 */
async function started(
  engine: Engine,
  id: string,
  now: number,
  run: ReturnType<typeof createRun>["run"],
  created?: LoadedState,
): Promise<SubmitResult> {
  await engine.index.put(summarize(run), now, wakeAt(run, now, engine.config));
  engine.telemetry.count("workflows.submitted");
  if (run.wf.status === "running") {
    const first = created
      ? engine.coordinator.start(id, created)
      : engine.coordinator.apply(id, []);
    await first.catch((e: unknown) => {
      engine.telemetry.log(
        "warn",
        `workflow ${id}: first dispatch failed, the sweep will retry: ${String(e)}`,
      );
    });
  }
  // A root's map may have expanded already: its instances are tasks of the workflow too.
  return { created: true, id, status: run.wf.status, tasks: run.size };
}

/**
 * The workflow exists: its status as it is now. Its index row is written if the first try
 * stopped before writing it (a crash between the head and the row).
 */
async function existing(engine: Engine, id: string, now: number): Promise<SubmitResult> {
  const row = await engine.index.get(id);
  if (row) return { created: false, id, status: row.status, tasks: row.total };
  const loaded = await engine.state.loadForRead(id);
  if (!loaded)
    throw conflict(id, `workflow ${id} was deleted while this request ran: submit again`);
  const s = summarize(loaded.run);
  await engine.index.put(s, now, wakeAt(loaded.run, now, engine.config));
  if (s.status === "running") await engine.coordinator.apply(id, []).catch(() => {});
  return { created: false, id, status: s.status, tasks: s.total };
}

function conflict(id: string, why: string): DagqError {
  return new DagqError(ErrorCode.INVALID_STATE, why, { id });
}
