/**
 * A caught value as an Error. JavaScript lets anything be thrown, so `catch (e)` gives `unknown`;
 * this is the one place that turns it into something with a `message`, instead of casting.
 */
export function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
