/**
 * When and what a chaos run kills, drawn up front from the seed (with fast-check's generators,
 * unbiased), so a run's plan can be printed and replayed. Timing inside the run still varies:
 * a kill happens once the workflows reach its fraction of finished tasks, after its jitter.
 */
import fc from "fast-check";

export const KILL_KINDS = ["host", "worker", "storage"] as const;
export type KillKind = (typeof KILL_KINDS)[number];

export interface Kill {
  readonly kind: KillKind;
  /** Of all tasks finished when the kill happens. */
  readonly atFraction: number;
  /** Wait this long once the fraction is reached, so kills do not line up with reads. */
  readonly jitterMs: number;
  /** Which worker, for a worker kill. */
  readonly worker: number;
  /** How long storage stays down, for a storage restart. */
  readonly downMs: number;
}

const shape = fc.noBias(
  fc.record({
    // Per mille: fc.double draws evenly over the doubles, which crowds towards the low end.
    perMille: fc.integer({ min: 50, max: 850 }),
    jitterMs: fc.integer({ min: 0, max: 500 }),
    worker: fc.nat({ max: 1_000 }),
    downMs: fc.integer({ min: 0, max: 2_000 }),
  }),
);

export function killPlan(counts: Readonly<Record<KillKind, number>>, seed: number): Kill[] {
  const kinds = KILL_KINDS.flatMap((kind) => Array.from({ length: counts[kind] }, () => kind));
  if (kinds.length === 0) return [];
  const [drawn] = fc.sample(fc.array(shape, { minLength: kinds.length, maxLength: kinds.length }), {
    seed,
    numRuns: 1,
  });
  return drawn!
    .map(({ perMille, ...d }, i) => ({ kind: kinds[i]!, atFraction: perMille / 1000, ...d }))
    .sort((a, b) => a.atFraction - b.atFraction);
}
