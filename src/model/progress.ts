/**
 * How often a long loop over routes, subjects or locations says how far it is (enrichment, evaluation,
 * locating findings), so the terminal of a national run never goes quiet. Tests lower it to see the
 * steps on a small table.
 */
export const progressEvery = { items: 50_000 };

/** How far a long step is through its items (routes, subjects, locations). */
export interface StepCount {
  done: number;
  total: number;
}

/**
 * What the loader is doing with one file besides parsing it (which it counts in routes): checking its
 * bytes (hash, UTF-8), scanning its lines (limits, where each route starts), validating its documents.
 */
export type LoadPhase = 'checking' | 'scanning' | 'validating';

/** What the loader says of one file as it works on it: a phase begun, a large table's routes parsed, a CSV read. */
export type FileProgress = { phase: LoadPhase } | { routes: StepCount } | { read: StepCount };
