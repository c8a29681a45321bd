/**
 * Where each line of a text starts, for turning offsets into line and column without re-scanning. Counted
 * first, then filled into a typed array: a list grown to ten million entries (a national table) took
 * 1.7 s among a multi-gigabyte heap, most of it copying and collecting. Offsets fit: V8 strings are
 * shorter than 2^32.
 */
export function lineStarts(text: string): Uint32Array {
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  const starts = new Uint32Array(lines);
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts[n++] = i + 1;
  return starts;
}

/** 1-based line and column of `offset`, by binary search over `starts` (from lineStarts). */
export function positionAt(starts: ArrayLike<number>, offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] + 1 };
}

/**
 * Old-Mac files end lines with CR alone; the `yaml` parser does not treat a lone CR as a line break,
 * so a first-line comment swallowed the whole file. Each lone CR becomes LF (as YAML 1.2 reads it):
 * the text keeps its length, so every offset, and the line and column built on it, stays right.
 */
export function normaliseLineEndings(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}
