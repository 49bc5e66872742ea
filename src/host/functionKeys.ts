import { createHash, timingSafeEqual } from "node:crypto";
import type { AuthLevel } from "../functions/registry.js";

/** The keys the local host accepts, as the Functions host has function keys and a master key. */
export interface HostKeys {
  /** Accepted by `function`-level functions. */
  readonly function: readonly string[];
  /** Accepted by `function` and `admin` level functions. */
  readonly master?: string;
}

/** The key a request presents: the `x-functions-key` header, else the `code` query parameter. */
export function presentedKey(header: string | undefined, url: URL): string | null {
  return header ?? url.searchParams.get("code");
}

/** Whether `presented` opens a function of `level`; keys are compared in constant time. */
export function authorized(level: AuthLevel, presented: string | null, keys: HostKeys): boolean {
  switch (level) {
    case "anonymous":
      return true;
    case "function":
      return presented !== null && [...keys.function, keys.master].some((k) => same(k, presented));
    case "admin":
      return presented !== null && same(keys.master, presented);
    default:
      return level satisfies never;
  }
}

function same(key: string | undefined, presented: string): boolean {
  if (!key) return false;
  // Equal-length digests, so timingSafeEqual neither throws nor leaks the key's length.
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(key), digest(presented));
}
