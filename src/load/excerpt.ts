import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_PREFIX, packageRoot } from '../paths.js';

export type ExcerptLine = { line: number; text: string };

/**
 * Reads the source lines around a location, so reports can quote the offending YAML without parsing it.
 * Files are read once and only when a finding needs them (failures are few; passing routes many).
 */
export function excerptReader(cwd: string = process.cwd()): (file: string, line: number, context?: number) => ExcerptLine[] {
  const cache = new Map<string, string[] | null>();
  const linesOf = (file: string): string[] | null => {
    if (!cache.has(file)) {
      const path = file.startsWith(BUILTIN_PREFIX) ? join(packageRoot, file.slice(BUILTIN_PREFIX.length)) : join(cwd, file);
      try {
        const lines = readFileSync(file.startsWith('/') ? file : path, 'utf8').replace(/^\ufeff/, '').split(/\r?\n/);
        if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop(); // the final newline ends a line, it does not start one
        cache.set(file, lines);
      } catch {
        cache.set(file, null);
      }
    }
    return cache.get(file)!;
  };
  return (file, line, context = 1) => {
    const lines = linesOf(file);
    if (!lines || line < 1 || line > lines.length) return [];
    const out: ExcerptLine[] = [];
    for (let n = Math.max(1, line - context); n <= Math.min(lines.length, line + context); n++) {
      out.push({ line: n, text: lines[n - 1].length > 240 ? `${lines[n - 1].slice(0, 237)}...` : lines[n - 1] });
    }
    return out;
  };
}
