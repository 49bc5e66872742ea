/**
 * The chaos run's workflow: groups of tasks with a fan-out, a fan-in with a condition, retries,
 * a failing branch, an `any` merge and a skipped chain, closed by one fan-in over every group.
 * Everything a task does depends only on (name, attempt), so `run-local` and the serverless
 * path must end in the same states.
 *
 * Every task first appends `name attempt pid workflow` to the file in `$CHAOS_LOG` (the worker
 * passes it with `--pass-env CHAOS_LOG`): the log says which executions happened. Its output
 * is `{task, attempt, v, prov: {pid, seen}}`: `v` is the value conditions read; `prov` is its
 * provenance, different on every run, so comparisons leave it out: `pid` names the execution
 * whose report the state kept, `seen` the parents' pids the task found in `DAGQ_INPUTS`.
 */

export const LOG_VARIABLE = "CHAOS_LOG";

/** Tasks per group besides its leaves: root, flaky, join, merge, after. */
const GROUP_FIXED = 5;
const MIN_LEAVES = 3;
const LEAVES = 8;

export interface ChaosTask {
  readonly name: string;
  readonly command: string;
  readonly depends_on?: readonly string[];
  readonly dep_policy?: "any" | "all_settled";
  readonly condition?: string;
  readonly num_retries?: number;
}

export interface ChaosDefinition {
  readonly name: string;
  readonly defaults: { readonly retry_backoff_s: number };
  readonly tasks: readonly ChaosTask[];
}

export const MIN_CHAOS_TASKS = 1 + GROUP_FIXED + MIN_LEAVES;

/**
 * A definition with exactly `size` tasks. `sleepS` is how long each task takes beyond its
 * shell work, so that kills find tasks running.
 */
export function chaosWorkflow(size: number, sleepS = 0.05): ChaosDefinition {
  if (!Number.isInteger(size) || size < MIN_CHAOS_TASKS)
    throw new Error(`a chaos workflow needs at least ${MIN_CHAOS_TASKS} tasks, not ${size}`);
  const groups = Math.max(1, Math.floor((size - 1) / (GROUP_FIXED + LEAVES)));
  const leaves = size - 1 - groups * GROUP_FIXED;
  const tasks: ChaosTask[] = [];
  const merges: string[] = [];
  for (let g = 0; g < groups; g++) {
    // Spread the leaves evenly: the first `leaves % groups` groups take one more.
    const width = Math.floor(leaves / groups) + (g < leaves % groups ? 1 : 0);
    const group = groupTasks(g, width, sleepS);
    tasks.push(...group);
    merges.push(group.find((t) => t.name.endsWith("/merge"))!.name);
  }
  tasks.push({
    name: "end",
    command: command({ v: groups, failUpTo: 0, sleepS, readsInputs: true }),
    depends_on: merges,
    dep_policy: "all_settled",
  });
  return { name: "chaos", defaults: { retry_backoff_s: 0 }, tasks };
}

function groupTasks(g: number, width: number, sleepS: number): ChaosTask[] {
  const p = `g${String(g).padStart(4, "0")}`;
  const root = `${p}/root`;
  const leafNames = Array.from({ length: width }, (_, i) => `${p}/w/${String(i).padStart(3, "0")}`);
  // Whether the join's condition holds, and whether the flaky branch runs out of retries,
  // vary by group, so every combination reaches the `any` merge.
  const threshold = 3 + (g % 3) * 3;
  return [
    { name: root, command: command({ v: g % 10, failUpTo: 0, sleepS, readsInputs: false }) },
    ...leafNames.map((name, i) => ({
      name,
      command: command({ v: (g * 7 + i * 3) % 10, failUpTo: (g + i) % 5 === 0 ? 1 : 0, sleepS }),
      depends_on: [root],
      num_retries: 1,
    })),
    {
      name: `${p}/flaky`,
      // Groups with g % 3 == 2 fail both attempts: the task ends failed.
      command: command({ v: 1, failUpTo: g % 3, sleepS }),
      depends_on: [root],
      num_retries: 1,
    },
    {
      name: `${p}/join`,
      command: command({ v: g % 7, failUpTo: 0, sleepS }),
      depends_on: leafNames,
      condition: `count(inputs["${p}/w/*"].v >= 5) >= ${Math.min(threshold, width)}`,
    },
    {
      name: `${p}/merge`,
      command: command({ v: 2, failUpTo: 0, sleepS }),
      depends_on: [`${p}/flaky`, `${p}/join`],
      dep_policy: "any",
    },
    {
      name: `${p}/after`,
      command: command({ v: 3, failUpTo: 0, sleepS }),
      depends_on: [`${p}/join`],
      condition: `inputs["${p}/join"].v < 4`,
    },
  ];
}

interface CommandSpec {
  readonly v: number;
  /** Attempts up to this one fail (exit 3) after logging. */
  readonly failUpTo: number;
  readonly sleepS: number;
  readonly readsInputs?: boolean;
}

function command(spec: CommandSpec): string {
  const lines = [
    `echo "$DAGQ_TASK $DAGQ_ATTEMPT $$ $DAGQ_WORKFLOW_ID" >> "\${${LOG_VARIABLE}:-/dev/null}"`,
    `sleep ${spec.sleepS}`,
  ];
  if (spec.failUpTo > 0)
    lines.push(
      `if [ "$DAGQ_ATTEMPT" -le ${spec.failUpTo} ]; then echo "planned failure of attempt $DAGQ_ATTEMPT" >&2; exit 3; fi`,
    );
  // The parents' pids as the task saw them: `"pid":N` occurs once per parent output.
  lines.push(
    spec.readsInputs === false
      ? 'seen=""'
      : `seen=$(grep -o '"pid":[0-9]*' "$DAGQ_INPUTS" | tr -dc '0-9\\n' | tr '\\n' ' ')`,
  );
  lines.push(
    `printf '{"task":"%s","attempt":%s,"v":${spec.v},"prov":{"pid":%s,"seen":"%s"}}' "$DAGQ_TASK" "$DAGQ_ATTEMPT" $$ "$seen" > "$DAGQ_OUTPUT"`,
  );
  return lines.join("\n");
}
