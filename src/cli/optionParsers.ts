import { InvalidArgumentError } from "commander";
import { TASK_STATES, type TaskState } from "../core/index.js";
import { PASS_ENV_PATTERN } from "../worker/taskEnvironment.js";

/** `--pass-env NAME` or `--pass-env 'PREFIX*'`, repeatable. */
export function passEnv(value: string, acc: string[] = []): string[] {
  if (!PASS_ENV_PATTERN.test(value))
    throw new InvalidArgumentError("expected a variable name, or a prefix ending in * (CUDA_*)");
  return [...acc, value];
}

/** A repeatable option's values, in order. */
export function collect(value: string, acc: readonly string[] = []): string[] {
  return [...acc, value];
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected an integer ≥ 1");
  return n;
}

export function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected seconds > 0");
  return n;
}

/** `failed,upstream_failed`: checked here so a typo is a usage error, not a 400. */
export function taskStates(value: string): TaskState[] {
  const states = value.split(",").map((s) => s.trim());
  for (const s of states) {
    if (!(TASK_STATES as readonly string[]).includes(s)) {
      throw new InvalidArgumentError(`"${s}" is not a task state (${TASK_STATES.join(", ")})`);
    }
  }
  return states as TaskState[];
}
