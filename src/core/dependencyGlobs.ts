import { isGlob, matchGlob } from "./condition/index.js";

/**
 * `depends_on: ["sweep/*"]`: a name holding `*` or `?` is a glob over the workflow's task names
 * (the same globs as conditions: `*` any run of characters, `/` included, `?` one), expanded
 * at compile time into every matching task but the one that lists it, in definition order. So
 * a 500-task sweep's aggregate needs no 500-name list, and the compiled graph is as if the
 * names had been written out.
 *
 * The literal text before the first wildcard narrows the candidates by binary search over the
 * sorted names, so `sweep/*` in a 100,000-task workflow looks at the `sweep/` tasks only. A
 * pattern that starts with a wildcard looks at every name: the work is capped (MAX_WORK) so a
 * definition of many such patterns cannot make compiling slow.
 */
export class DependencyGlobs {
  private sorted: string[] | null = null;
  private readonly cache = new Map<string, readonly number[]>();
  /** Names compared so far, against MAX_WORK. */
  private work = 0;

  constructor(
    private readonly names: readonly string[],
    private readonly index: ReadonlyMap<string, number>,
  ) {}

  static isGlob(name: string): boolean {
    return isGlob(name);
  }

  /** The matching task indices in definition order (the task itself included; callers drop it). */
  expand(pattern: string): readonly number[] | "too much work" {
    const hit = this.cache.get(pattern);
    if (hit) return hit;
    this.sorted ??= [...this.names].sort();
    const wild = pattern.search(/[*?]/);
    const prefix = wild < 0 ? pattern : pattern.slice(0, wild);
    const sorted = this.sorted;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    let end = lo;
    while (end < sorted.length && sorted[end]!.startsWith(prefix)) end++;
    this.work += end - lo;
    if (this.work > MAX_WORK) return "too much work";
    const matched = matchGlob(pattern, sorted.slice(lo, end))
      .map((name) => this.index.get(name)!)
      .sort((a, b) => a - b);
    this.cache.set(pattern, matched);
    return matched;
  }
}

/** Names compared by all the globs of one definition: a second or so of matching at most. */
export const MAX_WORK = 10_000_000;
