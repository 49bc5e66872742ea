import {
  applyEvents,
  type Command,
  type CompiledWorkflow,
  compileDefinition,
  createRun,
  type DepPolicy,
  type Event,
  findTask,
  type Json,
  type RunState,
  TASK_STATES,
  type TaskState,
  taskName,
} from "../../src/core/index.js";

export interface TaskShape {
  deps?: string[];
  policy?: DepPolicy;
  condition?: string;
  map?: string;
  retries?: number;
  timeout?: number;
}

/** Compiles a workflow from `{ name: deps[] | shape }`, commands being irrelevant to the core. */
export function dag(shape: Record<string, string[] | TaskShape>, name = "test"): CompiledWorkflow {
  return compileDefinition({
    name,
    defaults: { retry_backoff_s: 0 },
    tasks: Object.entries(shape).map(([task, s]) => {
      const t: TaskShape = Array.isArray(s) ? { deps: s } : s;
      return {
        name: task,
        command: `run ${task}`,
        depends_on: t.deps ?? [],
        ...(t.policy !== undefined ? { dep_policy: t.policy } : {}),
        ...(t.condition !== undefined ? { condition: t.condition } : {}),
        ...(t.map !== undefined ? { map: t.map } : {}),
        ...(t.retries !== undefined ? { num_retries: t.retries } : {}),
        ...(t.timeout !== undefined ? { timeout_s: t.timeout } : {}),
      };
    }),
  });
}

export const T0 = 1_700_000_000_000;

export function idx(def: CompiledWorkflow, name: string): number {
  const i = def.index.get(name);
  if (i === undefined) throw new Error(`no task ${name}`);
  return i;
}

/** A task by name in a run, instances of maps (`train[2]`) included. */
export function at(run: RunState, name: string): number {
  const i = findTask(run, name);
  if (i === undefined) throw new Error(`no task ${name}`);
  return i;
}

export function statusOf(run: RunState, name: string): TaskState {
  return TASK_STATES[run.status[at(run, name)]!]!;
}

/** Every task's state by name, instances of maps included. */
export function statuses(run: RunState): Record<string, TaskState> {
  const out: Record<string, TaskState> = {};
  for (let i = 0; i < run.size; i++) out[taskName(run, i)] = TASK_STATES[run.status[i]!]!;
  return out;
}

/** A test's handle on a run: events by task name, commands by task name. */
export class Harness {
  readonly run: RunState;
  now = T0;
  commands: Command[];

  constructor(
    readonly def: CompiledWorkflow,
    opts: { maxInFlight?: number; admitted?: boolean } = {},
  ) {
    const { run, transition } = createRun(def, "wf-test", this.now, opts);
    this.run = run;
    this.commands = transition.commands;
  }

  apply(...events: Event[]) {
    const t = applyEvents(this.run, events, this.now);
    this.commands = t.commands;
    return t;
  }

  complete(name: string, output?: Json, attempt = this.run.attempt[at(this.run, name)]!) {
    return this.apply({
      kind: "completed",
      task: at(this.run, name),
      attempt,
      ...(output !== undefined ? { output } : {}),
    });
  }

  fail(name: string, error = "boom", attempt = this.run.attempt[at(this.run, name)]!) {
    return this.apply({ kind: "failed", task: at(this.run, name), attempt, error });
  }

  start(name: string, attempt = this.run.attempt[at(this.run, name)]!) {
    return this.apply({ kind: "started", task: at(this.run, name), attempt });
  }

  dispatched(): string[] {
    return this.commands
      .filter((c) => c.kind === "dispatch")
      .map((c) => taskName(this.run, c.task));
  }

  reason(name: string): string | undefined {
    return this.run.reasons.get(at(this.run, name));
  }
}
