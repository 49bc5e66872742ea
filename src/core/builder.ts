import { parseDefinition } from "./compile.js";
import type {
  DepPolicy,
  TaskDefinitionInput,
  WorkflowDefinition,
  WorkflowDefinitionInput,
} from "./definition.js";

/** A task added to a builder; pass it to `dependsOn` of later tasks. */
export interface TaskRef {
  readonly name: string;
}

export interface TaskOptions {
  readonly command: string;
  readonly dependsOn?: ReadonlyArray<TaskRef | string>;
  readonly depPolicy?: DepPolicy;
  readonly condition?: string;
  readonly numRetries?: number;
  readonly retryBackoffS?: number;
  readonly timeoutS?: number;
  readonly queue?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The typed way to write a definition in code; `build()` returns exactly what the same
 * workflow's YAML or JSON file parses to, so files and code share one validator.
 *
 * ```ts
 * const wf = workflow("ml");
 * const prep = wf.task("prep/featurize", { command: "python prep.py" });
 * wf.task("train/rf", { command: "python rf.py", dependsOn: [prep] });
 * const definition = wf.build();
 * ```
 */
export class WorkflowBuilder {
  private readonly tasks: TaskDefinitionInput[] = [];

  constructor(
    private readonly name: string,
    private readonly defaults: WorkflowDefinitionInput["defaults"] = undefined,
  ) {}

  task(name: string, opts: TaskOptions): TaskRef {
    this.tasks.push({
      name,
      command: opts.command,
      depends_on: (opts.dependsOn ?? []).map((d) => (typeof d === "string" ? d : d.name)),
      dep_policy: opts.depPolicy,
      condition: opts.condition,
      num_retries: opts.numRetries,
      retry_backoff_s: opts.retryBackoffS,
      timeout_s: opts.timeoutS,
      queue: opts.queue,
      env: opts.env ? { ...opts.env } : undefined,
    });
    return { name };
  }

  /** Validates the shape; graph checks (cycles, references) happen in `compile`. */
  build(): WorkflowDefinition {
    // The JSON round trip drops unset options, so the result equals the parsed file.
    const input = { name: this.name, defaults: this.defaults, tasks: this.tasks };
    return parseDefinition(JSON.parse(JSON.stringify(input)));
  }
}

export function workflow(
  name: string,
  defaults?: WorkflowDefinitionInput["defaults"],
): WorkflowBuilder {
  return new WorkflowBuilder(name, defaults);
}
