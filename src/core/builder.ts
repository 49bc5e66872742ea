import { compile, parseDefinition } from "./compile.js";
import type {
  ConditionErrors,
  DepPolicy,
  TaskDefinitionInput,
  WorkflowDefinition,
  WorkflowDefinitionInput,
} from "./definition.js";

/** A task added to a builder; pass it to `dependsOn` of later tasks. */
export interface TaskRef {
  readonly name: string;
}

/** Settings a task may take from the workflow's defaults; camelCase, like every builder option. */
export interface TaskSettings {
  readonly numRetries?: number;
  readonly retryBackoffS?: number;
  readonly timeoutS?: number;
  readonly queue?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly conditionErrors?: ConditionErrors;
}

export interface TaskOptions extends TaskSettings {
  readonly command: string;
  readonly dependsOn?: ReadonlyArray<TaskRef | string>;
  readonly depPolicy?: DepPolicy;
  readonly condition?: string;
  /** An expression giving a list: one instance of the task per item. */
  readonly map?: string;
}

export interface WorkflowOptions {
  readonly description?: string;
  readonly defaults?: TaskSettings;
  readonly resultPolicy?: "sinks" | "all_tasks";
  readonly maxParallelism?: number;
}

/**
 * The typed way to write a definition in code; `build()` returns exactly what the same
 * workflow's YAML or JSON file parses to, and rejects what `dagq validate` rejects (shape and
 * graph: cycles, unknown dependencies, conditions), so files and code share one validator.
 *
 * ```ts
 * const wf = workflow("ml", { defaults: { numRetries: 1 } });
 * const prep = wf.task("prep/featurize", { command: "python prep.py" });
 * wf.task("train/rf", { command: "python rf.py", dependsOn: [prep] });
 * const definition = wf.build();
 * ```
 */
export class WorkflowBuilder {
  private readonly tasks: TaskDefinitionInput[] = [];

  constructor(
    private readonly name: string,
    private readonly opts: WorkflowOptions = {},
  ) {}

  task(name: string, opts: TaskOptions): TaskRef {
    this.tasks.push({
      name,
      command: opts.command,
      depends_on: (opts.dependsOn ?? []).map((d) => (typeof d === "string" ? d : d.name)),
      dep_policy: opts.depPolicy,
      condition: opts.condition,
      ...(opts.map === undefined ? {} : { map: opts.map }),
      ...settings(opts),
    });
    return { name };
  }

  /** Validates shape and graph; throws the same DagqError as `compileDefinition`. */
  build(): WorkflowDefinition {
    const o = this.opts;
    const input: WorkflowDefinitionInput = {
      name: this.name,
      description: o.description,
      defaults: o.defaults ? settings(o.defaults) : undefined,
      result_policy: o.resultPolicy,
      max_parallelism: o.maxParallelism,
      tasks: this.tasks,
    };
    // The JSON round trip drops unset options, so the result equals the parsed file.
    const definition = parseDefinition(JSON.parse(JSON.stringify(input)));
    compile(definition);
    return definition;
  }
}

function settings(s: TaskSettings) {
  return {
    num_retries: s.numRetries,
    retry_backoff_s: s.retryBackoffS,
    timeout_s: s.timeoutS,
    queue: s.queue,
    env: s.env ? { ...s.env } : undefined,
    condition_errors: s.conditionErrors,
  };
}

export function workflow(name: string, opts?: WorkflowOptions): WorkflowBuilder {
  return new WorkflowBuilder(name, opts);
}
