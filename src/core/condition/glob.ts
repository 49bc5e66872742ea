/** `*` and `?` are the only wildcards; every other character, regex metacharacters included, is literal. */
export function isGlob(name: string): boolean {
  return name.includes("*") || name.includes("?");
}

/** Names of `deps` that a glob pattern matches, in the order of `deps`. */
export function matchGlob(pattern: string, deps: readonly string[]): string[] {
  const matches = compileGlob(pattern);
  return deps.filter(matches);
}

/** A name as characters: a string where code units are characters, else its code points. */
type Chars = string | readonly string[];

/**
 * Matched by hand rather than compiled to a RegExp so no user text ever reaches the regex engine.
 * The pattern is split at `*` into segments (`?` in a segment is any one character): the first
 * is anchored at the start, the last at the end, and each one between is taken at its leftmost
 * match, which leaves the most room for the rest, so nothing is ever retried. Each middle
 * segment is one native indexOf, or, holding `?`, one bit-parallel pass over the name: a name
 * costs about its length times the number of segments, never exponential, never quadratic.
 * `?` is one code point, even outside the BMP.
 */
function compileGlob(pattern: string): (name: string) => boolean {
  // Code units serve as characters, with no Array.from, when the pattern has no surrogates and
  // either has no `?` (a literal segment then matches only whole characters) or the name has
  // no surrogates either.
  const units = !hasSurrogate(pattern);
  const wild = pattern.includes("?");
  const chars = (name: string): Chars =>
    units && (!wild || !hasSurrogate(name)) ? name : Array.from(name);
  const asUnits = pattern.split("*");
  const asPoints = asUnits.map((s) => Array.from(s));
  const minLength = asPoints.reduce((n, s) => n + s.length, 0);
  if (asUnits.length === 1) {
    return (name) => {
      const text = chars(name);
      const only = typeof text === "string" ? asUnits[0]! : asPoints[0]!;
      return text.length === only.length && segmentAt(text, 0, only);
    };
  }
  // Built on first use: a segment longer than every name never needs its masks.
  const searches: (Search | undefined)[] = [];
  const search = (k: number) => {
    searches[k] ??= new Search(asPoints[k]!);
    return searches[k];
  };
  return (name) => {
    const text = chars(name);
    if (text.length < minLength) return false;
    const inUnits = typeof text === "string";
    const first = inUnits ? asUnits[0]! : asPoints[0]!;
    const last = inUnits ? asUnits[asUnits.length - 1]! : asPoints[asPoints.length - 1]!;
    const end = text.length - last.length;
    if (!segmentAt(text, 0, first) || !segmentAt(text, end, last)) return false;
    let pos = first.length;
    for (let k = 1; k < asUnits.length - 1; k++) {
      const segment = asUnits[k]!;
      let at: number;
      if (inUnits && !segment.includes("?")) {
        at = text.indexOf(segment, pos);
        if (at + segment.length > end) at = -1;
      } else {
        at = search(k).find(text, pos, end);
      }
      if (at < 0) return false;
      pos = at + asPoints[k]!.length;
    }
    return true;
  };
}

function segmentAt(text: Chars, at: number, segment: Chars): boolean {
  for (let k = 0; k < segment.length; k++) {
    const c = segment[k];
    if (c !== "?" && c !== text[at + k]) return false;
  }
  return true;
}

/**
 * Shift-And: bit j of the state says the last j+1 characters read match the segment's first
 * j+1, so one pass finds the leftmost match, `?` included, in (name length × words) steps.
 */
class Search {
  private readonly words: number;
  /** Per character, the positions it may take; `wild` for characters the segment lacks. */
  private readonly ascii: (Uint32Array | undefined)[] = [];
  private readonly others = new Map<string, Uint32Array>();
  private readonly wild: Uint32Array;
  private readonly state: Uint32Array;

  constructor(private readonly segment: readonly string[]) {
    this.words = Math.max(1, Math.ceil(segment.length / 32));
    this.wild = new Uint32Array(this.words);
    this.state = new Uint32Array(this.words);
    segment.forEach((c, j) => {
      if (c === "?") setBit(this.wild, j);
    });
    segment.forEach((c, j) => {
      if (c === "?") return;
      let mask = this.mask(c);
      if (mask === this.wild) {
        mask = Uint32Array.from(this.wild);
        if (isAscii(c)) this.ascii[c.charCodeAt(0)] = mask;
        else this.others.set(c, mask);
      }
      setBit(mask, j);
    });
  }

  /** The leftmost position from `from` where the segment matches and ends by `end`, or -1. */
  find(text: Chars, from: number, end: number): number {
    const m = this.segment.length;
    if (m === 0) return from;
    const { state, words } = this;
    state.fill(0);
    const lastWord = (m - 1) >>> 5;
    const lastBit = 1 << ((m - 1) & 31);
    const inUnits = typeof text === "string";
    if (words === 1) {
      // Segments up to 32 characters, nearly all of them: the state fits one register.
      let d = 0;
      for (let i = from; i < end; i++) {
        d = ((d << 1) | 1) & this.maskAt(text, inUnits, i)[0]!;
        if ((d & lastBit) !== 0) return i - m + 1;
      }
      return -1;
    }
    for (let i = from; i < end; i++) {
      const mask = this.maskAt(text, inUnits, i);
      let carry = 1;
      for (let w = 0; w < words; w++) {
        const s = state[w]!;
        state[w] = ((s << 1) | carry) & mask[w]!;
        carry = s >>> 31;
      }
      if ((state[lastWord]! & lastBit) !== 0) return i - m + 1;
    }
    return -1;
  }

  private maskAt(text: Chars, inUnits: boolean, i: number): Uint32Array {
    if (inUnits) {
      // charCodeAt on a string name: no one-character string is made for each step.
      const code = (text as string).charCodeAt(i);
      if (code < 128) return this.ascii[code] ?? this.wild;
    }
    return this.mask(text[i]!);
  }

  private mask(c: string): Uint32Array {
    return (isAscii(c) ? this.ascii[c.charCodeAt(0)] : this.others.get(c)) ?? this.wild;
  }
}

const isAscii = (c: string) => c.length === 1 && c.charCodeAt(0) < 128;

function setBit(words: Uint32Array, j: number): void {
  words[j >>> 5]! |= 1 << (j & 31);
}

function hasSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}
