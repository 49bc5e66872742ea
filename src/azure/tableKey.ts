/**
 * Azure Table keys may not contain `/`, `\`, `#`, `?` or control characters (U+0000–U+001F,
 * U+007F–U+009F), but task names do ("train/rf"). Keys are therefore escaped with a code that
 * keeps the two properties the engine relies on:
 * - order: a < b exactly when encode(a) < encode(b), so RowKey ranges mean the same thing;
 * - prefixes: s starts with p exactly when encode(s) starts with encode(p), so a prefix query
 *   is a range over encoded keys.
 *
 * Each forbidden run is escaped through the allowed character right next to it (E), which then
 * must be escaped too. Every character of the run and E become E followed by one letter of
 * LETTERS, in the run's order, so the codewords sort where the characters did and no codeword
 * is a prefix of another:
 *
 *   U+0000..U+001F, " "  →  " A".." g"      `"`, `#`   →  `"A`, `"B`
 *   `.`, `/`             →  `.A`, `.B`       `>`, `?`   →  `>A`, `>B`
 *   `[`, `\`             →  `[A`, `[B`       `~`, U+007F..U+009F  →  `~A`..`~h`
 *
 * So "train/rf" is stored as "train.Brf" and "v1.2" as "v1.A2". Keys without these characters
 * are stored unchanged.
 */

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh";

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Each escape character with the characters it stands for, in code order. */
const GROUPS: ReadonlyArray<{ readonly escape: number; readonly chars: readonly number[] }> = [
  { escape: 0x20, chars: [...range(0x00, 0x1f), 0x20] },
  { escape: 0x22, chars: [0x22, 0x23] },
  { escape: 0x2e, chars: [0x2e, 0x2f] },
  { escape: 0x3e, chars: [0x3e, 0x3f] },
  { escape: 0x5b, chars: [0x5b, 0x5c] },
  { escape: 0x7e, chars: [0x7e, ...range(0x7f, 0x9f)] },
];

const ENCODE = new Map<number, string>();
const DECODE = new Map<string, string>();
for (const { escape: esc, chars } of GROUPS) {
  chars.forEach((c, i) => {
    const codeword = String.fromCharCode(esc) + LETTERS.charAt(i);
    ENCODE.set(c, codeword);
    DECODE.set(codeword, String.fromCharCode(c));
  });
}
const ESCAPES = new Set(GROUPS.map((g) => String.fromCharCode(g.escape)));

export function encodeKey(key: string): string {
  let out = "";
  let copied = 0; // key[copied..i) needs no escaping and is appended in one slice
  for (let i = 0; i < key.length; i++) {
    const codeword = ENCODE.get(key.charCodeAt(i));
    if (codeword === undefined) continue;
    out += key.slice(copied, i) + codeword;
    copied = i + 1;
  }
  return copied === 0 ? key : out + key.slice(copied);
}

/** The inverse of encodeKey; throws on a key it did not produce. */
export function decodeKey(stored: string): string {
  let out = "";
  for (let i = 0; i < stored.length; i++) {
    const ch = stored.charAt(i);
    if (!ESCAPES.has(ch)) {
      out += ch;
      continue;
    }
    const decoded = DECODE.get(stored.slice(i, i + 2));
    if (decoded === undefined)
      throw new Error(`not an encoded table key: ${JSON.stringify(stored)}`);
    out += decoded;
    i++;
  }
  return out;
}

/**
 * The least string greater than every string starting with `prefix` (its last character
 * incremented, carrying past U+FFFF), or undefined when no such bound exists.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const code = prefix.charCodeAt(i);
    if (code < 0xffff) return prefix.slice(0, i) + String.fromCharCode(code + 1);
  }
  return undefined;
}
