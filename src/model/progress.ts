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
export type LoadPhase = 'reading' | 'checking' | 'scanning' | 'splitting' | 'validating';

/**
 * What the loader says of one file as it works on it: a phase begun (with how far into the file it is, for
 * a large file), a large table's routes parsed, a CSV read.
 */
export type FileProgress = { phase: LoadPhase; read?: StepCount } | { routes: StepCount } | { read: StepCount };

/**
 * The size of the blocks a long pass over a large file (reading, hashing, decoding, scanning) is done in,
 * each followed by a progress report, so the terminal of a national run hears from it about every 0.1–0.3 s.
 */
export const PROGRESS_BLOCK_BYTES = 32 << 20;

/** How far parsing one file is: the cheap checks' characters scanned, a large table split into route items and parsed. */
export interface ParseProgress {
  onScanned?: (done: number, total: number) => void;
  /** A large table's lines scanned for where each route item starts. */
  onSplit?: (done: number, total: number) => void;
  /** A large table's route items parsed. */
  onItems?: (done: number, total: number) => void;
}
