import { InvalidArgumentError } from "commander";
import { type Json, PARAM_NAME_PATTERN, TASK_STATES, type TaskState } from "../core/index.js";
import { PASS_ENV_PATTERN } from "../worker/taskEnvironment.js";

/** `--pass-env NAME` or `--pass-env 'PREFIX*'`, repeatable. */
export function passEnv(value: string, acc: string[] = []): string[] {
  if (!PASS_ENV_PATTERN.test(value))
    throw new InvalidArgumentError("expected a variable name, or a prefix ending in * (CUDA_*)");
  return [...acc, value];
}

/**
 * `--param NAME=VALUE`, repeatable: the value is JSON when it parses as JSON (`0.01`, `true`,
 * `[1,2]`, `"quoted"`), else the text itself (`adam`). The last one of a name wins.
 */
export function param(
  value: string,
  acc: Readonly<Record<string, Json>> = {},
): Record<string, Json> {
  const eq = value.indexOf("=");
  const name = eq < 0 ? value : value.slice(0, eq);
  if (eq < 0 || !PARAM_NAME_PATTERN.test(name))
    throw new InvalidArgumentError("expected NAME=VALUE, NAME an identifier (lr=0.01)");
  const text = value.slice(eq + 1);
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    parsed = text;
  }
  return { ...acc, [name]: parsed };
}

/** A workflow id as dagq makes them: checked here so a typo is a usage error, not a 400. */
export function workflowId(value: string): string {
  if (!/^[a-z0-9][a-z0-9-]{2,62}$/.test(value))
    throw new InvalidArgumentError(
      "expected 3 to 63 of a-z, 0-9 and -, starting with a letter or digit",
    );
  return value;
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
