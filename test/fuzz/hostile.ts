/**
 * Hostile values for the fuzz suites: strings with control characters, lone surrogates and
 * terminal escapes, names that are object prototypes' keys, values nested deeper than any
 * recursive walker's stack, huge strings, wrong types; and mutations of valid inputs that put
 * one of them somewhere in the tree.
 */
import fc from "fast-check";

/** `depth` nested objects as JSON text, built without recursion. */
export function deepObjectText(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

/** `depth` nested arrays as JSON text. */
export function deepArrayText(depth: number): string {
  return `${"[".repeat(depth)}${"]".repeat(depth)}`;
}

/** A value `depth` levels deep (V8's JSON.parse does not recurse, so any depth parses). */
export function deepValue(depth: number): unknown {
  return JSON.parse(deepObjectText(depth));
}

/** Own `__proto__` and `constructor` keys, as JSON.parse makes them (a literal would not). */
export function protoValue(): unknown {
  return JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":1}}}');
}

const controlChars = fc.string({
  unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 12,
});

/** Strings a parser must survive; huge ones up to `hugeChars`. */
export function hostileString(hugeChars = 100_000): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string(),
    fc.string({ unit: "binary", maxLength: 40 }),
    controlChars,
    fc.constantFrom(
      "",
      "__proto__",
      "constructor",
      "prototype",
      "toString",
      "..",
      "../..",
      "%2F",
      "%00",
      "\u0000",
      "\u001b]0;pwned\u0007",
      "\u001b[2J\u001b[H",
      "\u202etxt.exe",
      "\ud800",
      "a/b",
      "*",
      "x".repeat(hugeChars),
    ),
  );
}

/** Values of every JSON type, hostile ones weighted up. */
export function hostileValue(hugeChars = 100_000): fc.Arbitrary<unknown> {
  return fc.oneof(
    hostileString(hugeChars),
    fc.integer(),
    fc.constantFrom(-1, 0, 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2),
    fc.boolean(),
    fc.constant(null),
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom(65, 200, 3000).map(deepValue),
    fc.constant(null).map(protoValue),
    fc.array(hostileString(64), { maxLength: 5 }),
  );
}

type Json = unknown;

/** Places in a JSON tree, as paths to them (the root is []), down to 64 levels. */
function places(
  value: Json,
  path: Array<string | number> = [],
  out: Array<Array<string | number>> = [],
) {
  out.push(path);
  if (path.length >= 64) return out;
  if (Array.isArray(value)) for (const [i, v] of value.entries()) places(v, [...path, i], out);
  else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) places(v, [...path, k], out);
  return out;
}

export type Mutation = "replace" | "delete" | "addKey" | "wrap";

/**
 * `base` with one place changed: replaced by `value`, deleted, given an extra key (sometimes an
 * own `__proto__`), or wrapped in an array. `at` picks the place, modulo their number.
 */
export function mutate(base: Json, at: number, how: Mutation, key: string, value: Json): Json {
  // A JSON round trip, not structuredClone: it copies values thousands of levels deep, and
  // own `__proto__` keys stay own keys.
  const copy = base === undefined ? base : JSON.parse(JSON.stringify(base));
  const all = places(copy);
  const path = all[at % all.length]!;
  if (path.length === 0) return how === "wrap" ? [copy] : how === "delete" ? undefined : value;
  const parent = path.slice(0, -1).reduce<Json>((v, k) => (v as Record<string, Json>)[k], copy) as
    | Record<string, Json>
    | Json[];
  const last = path[path.length - 1]!;
  const here = (parent as Record<string | number, Json>)[last];
  switch (how) {
    case "replace":
      (parent as Record<string | number, Json>)[last] = value;
      break;
    case "delete":
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
      break;
    case "wrap":
      (parent as Record<string | number, Json>)[last] = [here];
      break;
    case "addKey": {
      const target =
        here !== null && typeof here === "object" && !Array.isArray(here) ? here : parent;
      if (Array.isArray(target)) target.push(value);
      // defineProperty makes an own key even for "__proto__", which JSON.stringify then writes.
      else
        Object.defineProperty(target, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      break;
    }
  }
  return copy;
}

/** Mutations of `base` drawn by fast-check. */
export function mutationsOf(base: Json, hugeChars = 100_000): fc.Arbitrary<Json> {
  return fc
    .tuple(
      fc.nat(),
      fc.constantFrom<Mutation>("replace", "delete", "addKey", "wrap"),
      fc.oneof(fc.constant("__proto__"), hostileString(64)),
      hostileValue(hugeChars),
    )
    .map(([at, how, key, value]) => mutate(base, at, how, key, value));
}
