import { nearestName } from '../model/nearest.js';

/** Limits that keep hostile input from exhausting time or memory; documented in docs/security.md. */
export interface YamlLimits {
  /** Largest file accepted, in bytes. */
  maxFileBytes: number;
  /**
   * Files from this size on take the large-file path (js-yaml, positions found lazily): the yaml
   * document API needs ~80 bytes of heap per source byte and parses ~1.5 MB/s.
   */
  largeFileBytes: number;
  /** Longest line accepted, in bytes: a 100 MB scalar on one line is refused before parsing. */
  maxLineBytes: number;
  /** Deepest nesting of maps and sequences. */
  maxDepth: number;
  /** Most nodes an alias may expand to across one document ("billion laughs"). */
  maxAliasExpansion: number;
  /** Most problems reported for one file; the rest are counted in one closing message. */
  maxErrorsPerFile: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = {
  maxFileBytes: 512 * 1024 * 1024,
  largeFileBytes: 4 * 1024 * 1024,
  maxLineBytes: 1024 * 1024,
  maxDepth: 64,
  maxAliasExpansion: 10_000,
  maxErrorsPerFile: 200,
};

/** What a limit of 0 means: maxErrorsPerFile=0 reports no problem in full, only one count per file. */
const ZERO_ALLOWED: ReadonlySet<keyof YamlLimits> = new Set(['maxErrorsPerFile']);

/**
 * Parses `--limit name=value` settings over the defaults. Only the names of DEFAULT_YAML_LIMITS are
 * accepted (own names, never inherited ones such as "__proto__" or "hasOwnProperty"), with a "did you
 * mean" hint for a near miss; a value is a whole number ≥ 1 (maxErrorsPerFile also takes 0: see above).
 */
export function parseLimits(settings: string[]): YamlLimits | string {
  const limits = { ...DEFAULT_YAML_LIMITS };
  const names = Object.keys(DEFAULT_YAML_LIMITS) as Array<keyof YamlLimits>;
  for (const setting of settings) {
    const match = /^([^=]*)=(.*)$/.exec(setting);
    const name = match?.[1].trim() ?? '';
    if (!match || !Object.hasOwn(DEFAULT_YAML_LIMITS, name)) {
      const near = nearestName(name, names);
      return `--limit expects name=number with name one of ${names.join(', ')}; got "${setting}"${near ? ` (did you mean "${near}"?)` : ''}`;
    }
    const key = name as keyof YamlLimits;
    const text = match[2].trim();
    const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    const min = ZERO_ALLOWED.has(key) ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < min) {
      return `--limit ${key} expects a whole number of at least ${min}; got "${setting}"`;
    }
    limits[key] = value;
  }
  return limits;
}
