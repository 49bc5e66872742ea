/**
 * Finds one cycle in a graph given as parent lists in compressed sparse rows, or null.
 * Returns the cycle as task indices in dependency order (each depends on the next, the last on
 * the first). Iterative DFS with colours: recursion would overflow on a 100k-task chain.
 */
export function findCycle(
  n: number,
  parentStart: Uint32Array,
  parents: Uint32Array,
): number[] | null {
  const WHITE = 0;
  const GREY = 1;
  const BLACK = 2;
  const colour = new Uint8Array(n);
  const next = new Uint32Array(n);
  const stack: number[] = [];
  for (let root = 0; root < n; root++) {
    if (colour[root] !== WHITE) continue;
    stack.push(root);
    colour[root] = GREY;
    next[root] = parentStart[root]!;
    while (stack.length > 0) {
      const v = stack[stack.length - 1]!;
      if (next[v]! < parentStart[v + 1]!) {
        const p = parents[next[v]!++]!;
        if (colour[p] === GREY) return stack.slice(stack.indexOf(p));
        if (colour[p] === WHITE) {
          colour[p] = GREY;
          next[p] = parentStart[p]!;
          stack.push(p);
        }
      } else {
        colour[v] = BLACK;
        stack.pop();
      }
    }
  }
  return null;
}

export function invert(n: number, parentStart: Uint32Array, parents: Uint32Array) {
  const childStart = new Uint32Array(n + 1);
  for (const p of parents) childStart[p + 1]!++;
  for (let i = 0; i < n; i++) childStart[i + 1]! += childStart[i]!;
  const fill = childStart.slice(0, n);
  const children = new Uint32Array(parents.length);
  for (let c = 0; c < n; c++) {
    for (let k = parentStart[c]!; k < parentStart[c + 1]!; k++) children[fill[parents[k]!]!++] = c;
  }
  return { childStart, children };
}

/** Longest-path depth by Kahn's algorithm (iterative: a 100k-task chain must not blow the stack). */
export function layers(
  n: number,
  parentStart: Uint32Array,
  childStart: Uint32Array,
  children: Uint32Array,
): Uint32Array {
  const layer = new Uint32Array(n);
  const waiting = new Uint32Array(n);
  const queue: number[] = [];
  for (let i = 0; i < n; i++) {
    waiting[i] = parentStart[i + 1]! - parentStart[i]!;
    if (waiting[i] === 0) queue.push(i);
  }
  for (let h = 0; h < queue.length; h++) {
    const p = queue[h]!;
    for (let k = childStart[p]!; k < childStart[p + 1]!; k++) {
      const c = children[k]!;
      if (layer[c]! < layer[p]! + 1) layer[c] = layer[p]! + 1;
      if (--waiting[c]! === 0) queue.push(c);
    }
  }
  return layer;
}
