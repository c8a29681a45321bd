import { posix } from 'node:path';

/**
 * Paths an audit does not read: `--ignore GLOB` (repeatable) and `.ixauditignore` files in the input
 * folders, in the syntax of .gitignore that people already know: one pattern a line, `#` comments,
 * `*` and `?` within a name, `**` across folders, a trailing `/` for folders only, a leading `/` (or any
 * `/` inside) anchors the pattern to the folder of the file that holds it, `!` re-includes.
 * The last pattern that matches decides, as in git.
 */

export interface IgnorePattern {
  /** The folder the pattern is relative to (posix, absolute or as walked). */
  base: string;
  /** The pattern as written, for messages ("ignored by .ixauditignore:3 'docker-compose.yml'"). */
  text: string;
  /** Where it came from: `--ignore` or `path/.ixauditignore:LINE`. */
  origin: string;
  negated: boolean;
  directoryOnly: boolean;
  regex: RegExp;
}

export const IGNORE_FILE = '.ixauditignore';

/** One glob (without its `!` or trailing `/`) as a regular expression over a base-relative posix path. */
export function globToRegExp(glob: string): RegExp {
  const anchored = glob.startsWith('/') || glob.slice(0, -1).includes('/');
  const body = glob.replace(/^\//, '');
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '*' && body[i + 1] === '*') {
      // `**/` any folders (also none), `/**` everything below, `**` alone anything.
      if (body[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = body.indexOf(']', i + 1);
      if (end > i + 1) {
        const set = body
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        out += `[${set}]`;
        i = end;
      } else out += '\\[';
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  // Unanchored: the name at any depth. A match of a folder also covers everything below it.
  return new RegExp(`^${anchored ? '' : '(?:.*/)?'}${out}(?:/.*)?$`);
}

/** A pattern line, or undefined for blanks and comments. */
export function parseIgnoreLine(line: string, base: string, origin: string): IgnorePattern | undefined {
  let text = line.replace(/\r$/, '');
  // Trailing spaces are not part of a pattern unless escaped (as in git).
  text = text.replace(/(?<!\\)\s+$/, '');
  if (text === '' || text.startsWith('#')) return undefined;
  const negated = text.startsWith('!');
  let glob = negated ? text.slice(1) : text;
  if (glob.startsWith('\\#') || glob.startsWith('\\!')) glob = glob.slice(1);
  const directoryOnly = glob.endsWith('/');
  if (directoryOnly) glob = glob.slice(0, -1);
  if (glob === '') return undefined;
  return { base: toPosix(base), text, origin, negated, directoryOnly, regex: globToRegExp(glob) };
}

export function parseIgnoreFile(text: string, base: string, file: string): IgnorePattern[] {
  return text
    .split('\n')
    .map((line, i) => parseIgnoreLine(line, base, `${toPosix(file)}:${i + 1}`))
    .filter((p): p is IgnorePattern => p !== undefined);
}

/** `--ignore` patterns apply below each input folder the walk starts from. */
export function commandLinePatterns(globs: readonly string[], base: string): IgnorePattern[] {
  return globs
    .map((glob) => parseIgnoreLine(glob, base, `--ignore ${glob}`))
    .filter((p): p is IgnorePattern => p !== undefined);
}

/** The pattern that decides about a path (the last matching one), when it ignores it. */
export function ignoredBy(
  path: string,
  isDirectory: boolean,
  patterns: readonly IgnorePattern[],
): IgnorePattern | undefined {
  const target = toPosix(path);
  let decided: IgnorePattern | undefined;
  for (const pattern of patterns) {
    if (pattern.directoryOnly && !isDirectory) {
      // `build/` does not match a file named build, but does match files below a folder build.
      const relative = relativeTo(pattern.base, target);
      if (relative === undefined || !relative.includes('/')) continue;
      const folders = posix.dirname(relative);
      if (pattern.regex.test(folders)) decided = pattern;
      continue;
    }
    const relative = relativeTo(pattern.base, target);
    if (relative !== undefined && pattern.regex.test(relative)) decided = pattern;
  }
  return decided && !decided.negated ? decided : undefined;
}

function relativeTo(base: string, path: string): string | undefined {
  const relative = posix.relative(base, path);
  return relative === '' || relative.startsWith('..') || posix.isAbsolute(relative) ? undefined : relative;
}

function toPosix(path: string): string {
  return path.replace(/\\/g, '/');
}
