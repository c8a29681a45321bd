/**
 * GitHub code scanning's documented limits on an uploaded SARIF file, and what ixaudit does at them
 * (docs/interchange.md, "Limits"). Source: "SARIF results exceed one or more limits",
 * https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit
 * (the table "SARIF data / Maximum values / Display limits"), and "SARIF results file is too large",
 * https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/file-too-large.
 */
export const GITHUB_LIMITS = {
  /** Runs per file: ixaudit writes one. */
  runsPerFile: 20,
  /** Results per run: a run above it is rejected (only the top 5,000, by severity, are displayed). */
  resultsPerRun: 25_000,
  /** Rules per run: ixaudit has one per control in force (41 in the shipped catalog). */
  rulesPerRun: 25_000,
  /** Locations per result: a result above it is rejected; only the first 100 are stored and shown. */
  locationsPerResult: 1_000,
  /** Locations per result GitHub keeps and shows. */
  locationsShownPerResult: 100,
  /** Tags per rule: ixaudit gives three. */
  tagsPerRule: 20,
  /** The gzip-compressed file, in bytes (10 MB). */
  gzipBytes: 10 * 1024 * 1024,
} as const;

/**
 * Locations a result lists: its first occurrences in table order. The total is in the message and in
 * properties.occurrences; findings.json lists every occurrence. GitHub would keep 100, but at 100 a
 * result the log of a 20,000-route failure-heavy table was 11 MB, over the 10 MB the SARIF multitool
 * opens by default (it skips the file): 20 keep a national table's log a few MB.
 */
export const MAX_LOCATIONS_PER_RESULT = 20;

/**
 * Locations the results of one run list together, at most (unless it has more results than this: each
 * lists at least its first). At 20 a cause, a sector run of 50 operators × 20,000 routes (20,254 results)
 * wrote a 207 MB log, 11 MB gzipped: over the 10 MB GitHub accepts.
 */
export const MAX_LOCATIONS_PER_RUN = 25_000;

/**
 * How many locations each result of a run with `results` results lists: MAX_LOCATIONS_PER_RESULT, fewer
 * when they would pass MAX_LOCATIONS_PER_RUN together, never none.
 */
export function locationsPerResult(results: number): number {
  if (results <= 0) return MAX_LOCATIONS_PER_RESULT;
  return Math.max(1, Math.min(MAX_LOCATIONS_PER_RESULT, Math.floor(MAX_LOCATIONS_PER_RUN / results)));
}

/**
 * Results a run holds at most: GitHub rejects a run with more. Past it, the results of lowest rank
 * (see resultRank in mapping.ts) are left out and a notification says how many and of what.
 */
export const MAX_RESULTS_PER_RUN = GITHUB_LIMITS.resultsPerRun;
