/**
 * A queue trigger's payload as JSON. The Functions host hands a JSON message over already
 * parsed; other hosts may pass the text or its bytes. Undefined when it is not JSON at all.
 */
export function queueMessageJson(message: unknown): unknown {
  const text =
    typeof message === "string"
      ? message
      : message instanceof Uint8Array
        ? Buffer.from(message).toString("utf8")
        : null;
  if (text === null) return message;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
