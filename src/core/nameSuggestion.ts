/** "did you mean" for an unknown task name: a case-only difference, one edit, or one swap. */
export function suggest(name: string, index: ReadonlyMap<string, number>): string {
  const lower = name.toLowerCase();
  for (const known of index.keys()) {
    if (
      known.toLowerCase() === lower ||
      editDistanceAtMostOne(known, name) ||
      isAdjacentSwap(known, name)
    )
      return ` (did you mean "${known}"?)`;
  }
  return "";
}

function isAdjacentSwap(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const diff: number[] = [];
  for (let k = 0; k < a.length && diff.length <= 2; k++) if (a[k] !== b[k]) diff.push(k);
  const [x, y] = diff;
  return diff.length === 2 && y === x! + 1 && a[x!] === b[y] && a[y] === b[x!];
}

function editDistanceAtMostOne(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1 || a === b) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}
