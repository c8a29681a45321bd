import { type ParseProgress, PROGRESS_BLOCK_BYTES } from '../model/progress.js';
import type { Diagnostic } from '../model/types.js';
import { parseLargeYaml } from './large.js';
import { DEFAULT_YAML_LIMITS, type YamlLimits } from './limits.js';
import { type ParsedFile, parseYamlDocuments } from './yaml-document.js';

// The loader's one entry point for YAML text: cheap checks first, then the parser that suits the size.
// The two parsers live in yaml-document.ts (the text held whole) and large.ts (positions found lazily);
// large.ts parses its small head with yaml-document.ts, so neither imports this file.

export { DEFAULT_YAML_LIMITS, parseLimits, type YamlLimits } from './limits.js';
export { aliasWork, type ParsedDocument, type ParsedFile } from './yaml-document.js';

const SPACE = 0x20;
const TAB = 0x09;
const DASH = 0x2d;
const HASH = 0x23;
const CR = 0x0d;

/**
 * Cheap checks before the parser sees the text, so hostile shapes fail fast with one clear message
 * instead of exhausting the parser's stack or memory: over-long lines and excessive nesting (block
 * indentation levels plus open flow brackets; an over-estimate is fine at a limit no real document nears).
 */
export function prescan(
  file: string,
  text: string,
  limits: YamlLimits,
  onScanned?: (done: number, total: number) => void,
): Diagnostic | undefined {
  // In a large file, flow brackets are not scanned character by character (too slow for 300 MB); its
  // parser reports excessive flow nesting instead.
  const scanFlow = text.length < limits.largeFileBytes;
  const indents: number[] = [];
  let flowDepth = 0;
  let line = 1;
  let lineStart = 0;
  let report = onScanned ? PROGRESS_BLOCK_BYTES : Number.POSITIVE_INFINITY;
  while (lineStart <= text.length) {
    if (lineStart >= report) {
      onScanned!(lineStart, text.length);
      report += PROGRESS_BLOCK_BYTES;
    }
    let end = text.indexOf('\n', lineStart);
    if (end < 0) end = text.length;
    if (end - lineStart > limits.maxLineBytes) {
      return {
        file,
        line,
        column: 1,
        code: 'yaml-limit',
        message: `line is ${end - lineStart} characters long, more than the limit of ${limits.maxLineBytes} (limit maxLineBytes; raise it with --limit maxLineBytes=N)`,
      };
    }
    // The line's prefix of spaces, tabs and dashes, counted by char code: at a million routes (ten
    // million lines) a slice and split per line to count the dashes took 2.4 s and fed the collector.
    let i = lineStart;
    let dashes = 0;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === DASH) dashes++;
      else if (c !== SPACE && c !== TAB) break;
    }
    const content = text.charCodeAt(i);
    if (i < end && content !== HASH && content !== CR && flowDepth === 0) {
      // Each "- " prefix opens a nested level, as does a deeper indentation.
      const indent = i - lineStart;
      while (indents.length > 0 && indents[indents.length - 1] >= indent) indents.pop();
      indents.push(indent);
      if (indents.length + dashes > limits.maxDepth) {
        return {
          file,
          line,
          column: i - lineStart + 1,
          code: 'yaml-limit',
          message: `nesting deeper than ${limits.maxDepth} levels (limit maxDepth; raise it with --limit maxDepth=N)`,
        };
      }
    }
    let quote = '';
    for (let k = scanFlow ? i : end; k < end; k++) {
      const c = text[k];
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '#' && (k === lineStart || text[k - 1] === ' ')) break;
      else if (c === '[' || c === '{') {
        if (++flowDepth + indents.length > limits.maxDepth) {
          return {
            file,
            line,
            column: k - lineStart + 1,
            code: 'yaml-limit',
            message: `nesting deeper than ${limits.maxDepth} levels (limit maxDepth; raise it with --limit maxDepth=N)`,
          };
        }
      } else if ((c === ']' || c === '}') && flowDepth > 0) flowDepth--;
    }
    line++;
    lineStart = end + 1;
  }
  return undefined;
}

/**
 * Parses every YAML document of one file into plain data plus a position index.
 * A document with syntax errors is reported and skipped; the other documents of the file still load.
 * `threads`: 2 or more lets a large table's pieces be parsed on a helper thread too (parse-helper.ts).
 */
export function parseYaml(
  file: string,
  text: string,
  limits: YamlLimits = DEFAULT_YAML_LIMITS,
  progress: ParseProgress = {},
  threads = 1,
): ParsedFile {
  const refused = prescan(file, text, limits, progress.onScanned);
  if (refused) return { documents: [], diagnostics: [refused] };
  if (text.length >= limits.largeFileBytes) return parseLargeYaml(file, text, limits, progress, threads);
  return parseYamlDocuments(file, text, limits);
}
