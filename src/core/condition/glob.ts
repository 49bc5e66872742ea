/** `*` and `?` are the only wildcards; every other character, regex metacharacters included, is literal. */
export function isGlob(name: string): boolean {
  return name.includes("*") || name.includes("?");
}

/** Names of `deps` that a glob pattern matches, in the order of `deps`. */
export function matchGlob(pattern: string, deps: readonly string[]): string[] {
  const pat = Array.from(pattern);
  return deps.filter((dep) => globMatches(pat, Array.from(dep)));
}

/**
 * Matched by hand rather than compiled to a RegExp so no user text ever reaches the regex engine.
 * Greedy `*` with a single backtrack point is linear in practice and O(n·m) at worst, never
 * exponential. Works on code points so `?` is one character even outside the BMP.
 */
function globMatches(pat: readonly string[], text: readonly string[]): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const pc = pat[p];
    if (pc === "*") {
      starP = p++;
      starT = t;
    } else if (pc !== undefined && (pc === "?" || pc === text[t])) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pat[p] === "*") p++;
  return p === pat.length;
}
