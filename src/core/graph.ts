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
