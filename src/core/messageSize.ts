/**
 * A task travels to its worker as one queue message, and a storage queue takes at most 64 KiB
 * (48 KiB of JSON under any encoding). What the definition puts in it (name, command, env,
 * timeout) is known at submit, so a task that could never be sent is rejected there instead of
 * being accepted and then staying `ready` forever.
 */
export const MAX_TASK_MESSAGE_BYTES = 48 * 1024;

/**
 * Room for what only the dispatcher knows: the workflow id, the completion queue, the signals
 * blob, the attempt, an inputs reference (which repeats the task name), and the keys. Parent
 * outputs never count: they move to a blob when they do not fit. The engine's tests hold the
 * real message of a task at the limit to this bound.
 */
export const TASK_MESSAGE_RESERVE_BYTES = 1024;

/**
 * The bytes a task's own fields take in its message, plus the reserve. `paramsBytes`: the
 * workflow's parameters as JSON, which every task message carries.
 */
export function taskMessageBytes(
  name: string,
  command: string,
  env: Readonly<Record<string, string>>,
  timeoutS: number | null,
  paramsBytes = 0,
): number {
  const own = JSON.stringify({ task: name, command, env, timeout_s: timeoutS });
  return utf8Length(own) + utf8Length(name) + paramsField(paramsBytes) + TASK_MESSAGE_RESERVE_BYTES;
}

/** `,"params":{...}` when there are parameters. */
function paramsField(paramsBytes: number): number {
  return paramsBytes === 0 ? 0 : paramsBytes + 10;
}

/**
 * Why the task's message would be too large, or undefined when it fits. A character takes at
 * most 6 bytes once JSON-escaped, so a task whose text is short enough cannot be over the limit
 * and costs no serialization: compiling 100,000 ordinary tasks stays cheap. `envChars` is the
 * env's keys and values counted once per env object (tasks share their defaults' env).
 */
export function taskMessageIssue(
  name: string,
  command: string,
  env: Readonly<Record<string, string>>,
  timeoutS: number | null,
  envChars: number,
  paramsBytes = 0,
): string | undefined {
  // The keys and the timeout take under 100 characters; every other character at most 6 bytes.
  const worst = 6 * (2 * name.length + command.length + envChars) + 100 + paramsField(paramsBytes);
  if (worst + TASK_MESSAGE_RESERVE_BYTES <= MAX_TASK_MESSAGE_BYTES) return undefined;
  const bytes = taskMessageBytes(name, command, env, timeoutS, paramsBytes);
  if (bytes <= MAX_TASK_MESSAGE_BYTES) return undefined;
  const what = paramsBytes > 0 ? "command, env, name and the parameters" : "command, env and name";
  return `its task message would take ${bytes} bytes (${what} as JSON, plus ${TASK_MESSAGE_RESERVE_BYTES} for ids), over the queue limit of ${MAX_TASK_MESSAGE_BYTES}; move large data to a file the command reads`;
}

/** The characters an env's keys and values hold, with the quotes, colon and comma of each. */
export function envChars(env: Readonly<Record<string, string>>): number {
  let n = 0;
  for (const [k, v] of Object.entries(env)) n += k.length + v.length + 6;
  return n;
}

/** UTF-8 length without TextEncoder, which src/core's library settings do not include. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && k + 1 < text.length) {
      const d = text.charCodeAt(k + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4;
        k++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
