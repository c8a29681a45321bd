import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_PREFIX, packageRoot } from '../paths.js';
import { normaliseLineEndings } from './lines.js';

export type ExcerptLine = { line: number; text: string };

/**
 * Reads the source lines around a location, so reports can quote the offending YAML without parsing it.
 * Files are read once and only when a finding needs them (failures are few; passing routes many).
 */
export function excerptReader(
  cwd: string = process.cwd(),
  loaded: ReadonlyMap<string, string> = new Map(),
): (file: string, line: number, context?: number) => ExcerptLine[] {
  // Each file is kept as its text and an index of line starts (not as an array of line strings: a
  // 300 MB table has ten million lines), and a line is cut out only when quoted.
  const cache = new Map<string, { text: string; starts: Uint32Array; count: number } | null>();
  const sourceOf = (file: string) => {
    if (!cache.has(file)) {
      const path = file.startsWith(BUILTIN_PREFIX)
        ? join(packageRoot, file.slice(BUILTIN_PREFIX.length))
        : join(cwd, file);
      try {
        // Files this run loaded are quoted from the loader's text, so a large table is not held twice.
        const text =
          loaded.get(file) ??
          normaliseLineEndings(readFileSync(file.startsWith('/') ? file : path, 'utf8').replace(/^\ufeff/, ''));
        let count = 1;
        for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
        const starts = new Uint32Array(count);
        let n = 1;
        for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts[n++] = i + 1;
        // The final newline ends a line, it does not start one.
        if (count > 1 && starts[count - 1] === text.length) count--;
        cache.set(file, { text, starts, count });
      } catch {
        cache.set(file, null);
      }
    }
    return cache.get(file)!;
  };
  return (file, line, context = 1) => {
    const source = sourceOf(file);
    if (!source || line < 1 || line > source.count) return [];
    const out: ExcerptLine[] = [];
    for (let n = Math.max(1, line - context); n <= Math.min(source.count, line + context); n++) {
      const end = n < source.starts.length ? source.starts[n] - 1 : source.text.length;
      const text = source.text.slice(source.starts[n - 1], end).replace(/\r$/, '');
      out.push({ line: n, text: text.length > 240 ? `${text.slice(0, 237)}...` : text });
    }
    return out;
  };
}
