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

const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const OPEN_SQUARE = 0x5b;
const CLOSE_SQUARE = 0x5d;
const OPEN_CURLY = 0x7b;
const CLOSE_CURLY = 0x7d;
const COMMA = 0x2c;
const COLON = 0x3a;
const QUESTION = 0x3f;
/** The characters the flow scan acts on (quotes, `#`, brackets), as a table: most characters are none. */
const FLOW_SPECIAL = new Uint8Array(0x80);
for (const c of [QUOTE, APOSTROPHE, HASH, OPEN_SQUARE, CLOSE_SQUARE, OPEN_CURLY, CLOSE_CURLY]) FLOW_SPECIAL[c] = 1;

/**
 * Cheap checks before the parser sees the text, so hostile shapes fail fast with one clear message
 * instead of exhausting the parser's stack or memory: over-long lines and excessive nesting (block
 * indentation levels plus open flow brackets; an over-estimate is fine at a limit no real document nears).
 * Files of every size get the same checks: a large file used to have its flow brackets left to the parser,
 * so it accepted what a small file refused (a route 100 levels deep) or was refused at its first line,
 * wherever js-yaml's stack happened to run out.
 */
export function prescan(
  file: string,
  text: string,
  limits: YamlLimits,
  onScanned?: (done: number, total: number) => void,
): Diagnostic | undefined {
  const indents: number[] = [];
  let flowDepth = 0;
  let line = 1;
  let lineStart = 0;
  let report = onScanned ? PROGRESS_BLOCK_BYTES : Number.POSITIVE_INFINITY;
  // Where the next `[` and `{` are (-1: none left), found by indexOf and kept until passed: outside a flow
  // collection, a line with neither cannot change the depth, and is not scanned character by character.
  let nextSquare = -2;
  let nextCurly = -2;
  const deeper = (column: number): Diagnostic => ({
    file,
    line,
    column,
    code: 'yaml-limit',
    message: `nesting deeper than ${limits.maxDepth} levels (limit maxDepth; raise it with --limit maxDepth=N)`,
  });
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
      if (indents.length + dashes > limits.maxDepth) return deeper(i - lineStart + 1);
    }
    if (flowDepth === 0) {
      if (nextSquare !== -1 && nextSquare < i) nextSquare = text.indexOf('[', i);
      if (nextCurly !== -1 && nextCurly < i) nextCurly = text.indexOf('{', i);
    }
    const opensHere = (nextSquare >= 0 && nextSquare < end) || (nextCurly >= 0 && nextCurly < end);
    if (flowDepth > 0 || opensHere) {
      // Brackets inside quotes do not count, nor those after a comment's `#` (at the line's start or after
      // a space). A quote does not run on past its line: an over-estimate, as said above. A quote character
      // inside a plain scalar is not a quote (opensQuote).
      let quote = 0;
      for (let k = i; k < end; k++) {
        const c = text.charCodeAt(k);
        if (c >= 0x80 || FLOW_SPECIAL[c] === 0) continue;
        if (quote !== 0) {
          if (c === quote) quote = 0;
        } else if ((c === QUOTE || c === APOSTROPHE) && opensQuote(text, k, i)) quote = c;
        else if (c === HASH && (k === lineStart || text.charCodeAt(k - 1) === SPACE)) break;
        else if (c === OPEN_SQUARE || c === OPEN_CURLY) {
          if (++flowDepth + indents.length > limits.maxDepth) return deeper(k - lineStart + 1);
        } else if ((c === CLOSE_SQUARE || c === CLOSE_CURLY) && flowDepth > 0) flowDepth--;
      }
    }
    line++;
    lineStart = end + 1;
  }
  return undefined;
}

/**
 * Whether the quote character at `k` starts a quoted scalar: only where a scalar can start, first on the
 * line after its indentation and dashes (`contentStart`), or after `[`, `{`, `,`, `:` or `?` and any spaces.
 * Within a plain scalar (`Carrier's hub`, `5"`) it is an ordinary character; taken for a quote, it hid
 * the rest of the line's brackets from the scan, and nesting too deep there got past it in a large file.
 */
function opensQuote(text: string, k: number, contentStart: number): boolean {
  let j = k - 1;
  while (j >= contentStart && (text.charCodeAt(j) === SPACE || text.charCodeAt(j) === TAB)) j--;
  if (j < contentStart) return true;
  const c = text.charCodeAt(j);
  return c === OPEN_SQUARE || c === OPEN_CURLY || c === COMMA || c === COLON || c === QUESTION;
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
