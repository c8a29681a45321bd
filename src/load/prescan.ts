import { PROGRESS_BLOCK_BYTES } from '../model/progress.js';
import type { Diagnostic } from '../model/types.js';
import type { YamlLimits } from './limits.js';

// The cheap checks every YAML text gets before a parser sees it (yaml.ts calls prescan): over-long lines
// and nesting too deep, so that hostile shapes fail fast with one clear message at their line and column
// instead of exhausting a parser's stack or memory (the `yaml` parser runs out of memory compiling a
// regular expression for a 6 KB line of 3,000 "- "; js-yaml's stack gives out at a few thousand levels).
//
// Nesting is block levels (indentation steps plus "- " prefixes) and open flow collections. Only a `[`
// or `{` where a node can start opens a flow collection: in `see x[`, `http://x/p#[frag`, a comment, a
// quoted or block scalar, or the next line of a plain scalar it is text. Reading it as an opening bracket
// used to keep the count raised for the rest of the file, and a 20,000-route table whose remarks held 70
// unclosed `[` was refused as "nesting deeper than 64 levels".

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const DASH = 0x2d;
const DOT = 0x2e;
const HASH = 0x23;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const BACKSLASH = 0x5c;
const OPEN_SQUARE = 0x5b;
const CLOSE_SQUARE = 0x5d;
const OPEN_CURLY = 0x7b;
const CLOSE_CURLY = 0x7d;
const COMMA = 0x2c;
const COLON = 0x3a;
const QUESTION = 0x3f;
const BANG = 0x21;
const AMPERSAND = 0x26;
const STAR = 0x2a;
const PIPE = 0x7c;
const GREATER = 0x3e;

/** The characters the line scan acts on, as a table: most characters are none of them. */
const SCAN_SPECIAL = new Uint8Array(0x80);
for (const c of [QUOTE, APOSTROPHE, BACKSLASH, HASH, OPEN_SQUARE, CLOSE_SQUARE, OPEN_CURLY, CLOSE_CURLY]) {
  SCAN_SPECIAL[c] = 1;
}
/** Outside a flow collection and a quoted scalar, a line with none of these cannot change the nesting. */
const LINE_SPECIAL = /["'#[{]/g;

export interface PrescanOptions {
  /**
   * The one performance device: a line outside flow collections and quotes with none of `" ' # [ {` is
   * not scanned character by character. Off, every line is; the verdict must not change (prescan.test.ts).
   */
  skipPlainLines?: boolean;
}

const NOT_IN_BLOCK_SCALAR = -2;

const isBlank = (c: number): boolean => c === SPACE || c === TAB;

/**
 * Refuses a text whose lines are too long or whose nesting is too deep; undefined when it may be parsed.
 * An over-estimate of the depth is fine at a limit no real document nears; an under-estimate only where
 * the parser would not nest either (inside a scalar) or the text is not YAML.
 */
export function prescan(
  file: string,
  text: string,
  limits: YamlLimits,
  onScanned?: (done: number, total: number) => void,
  options: PrescanOptions = {},
): Diagnostic | undefined {
  const skipPlainLines = options.skipPlainLines ?? true;
  const indents: number[] = [];
  let flowDepth = 0;
  /** Block levels around the outermost open flow collection, fixed when it opened. */
  let flowBase = 0;
  /** The quote character of a quoted scalar still open at the end of the previous line, or 0. */
  let quote = 0;
  /** Inside a block scalar (`|`, `>`): lines indented more than this are its content (-1 at the top level). */
  let blockScalarParent = NOT_IN_BLOCK_SCALAR;
  /** After a plain scalar that may go on: lines indented more than this continue it; -1 otherwise. */
  let plainParent = -1;
  /** Inside a flow collection: whether the previous line ended where a node can start (`[`, `,`, `: `…). */
  let flowNodeNext = false;
  let line = 1;
  let lineStart = 0;
  let nextSpecial = -2;
  let report = onScanned ? PROGRESS_BLOCK_BYTES : Number.POSITIVE_INFINITY;
  const deeper = (column: number): Diagnostic => ({
    file,
    line,
    column,
    code: 'yaml-limit',
    message: `nesting deeper than ${limits.maxDepth} levels (limit maxDepth; raise it with --limit maxDepth=N)`,
  });

  for (; lineStart <= text.length; line++) {
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
    const thisStart = lineStart;
    lineStart = end + 1;

    let spaces = 0;
    while (thisStart + spaces < end && text.charCodeAt(thisStart + spaces) === SPACE) spaces++;
    const blank = isBlankRest(text, thisStart + spaces, end);
    const marker = isDocumentMarker(text, thisStart, end);
    if (marker) {
      // A document ends here whatever was open: both parsers end a quoted scalar at a marker line.
      quote = 0;
      blockScalarParent = NOT_IN_BLOCK_SCALAR;
      plainParent = -1;
    }
    if (blockScalarParent !== NOT_IN_BLOCK_SCALAR) {
      if (blank || spaces > blockScalarParent) continue;
      blockScalarParent = NOT_IN_BLOCK_SCALAR;
    }

    // Where the scan of this line starts, and whether a node can start there.
    let from: number;
    let fromIsNode: boolean;
    let resumed = false;
    let contentStart = thisStart;
    if (quote !== 0) {
      const closed = closingQuote(text, thisStart, end, quote);
      if (closed < 0) continue;
      quote = 0;
      from = closed;
      fromIsNode = false;
      resumed = true;
    } else {
      // The line's prefix of spaces, tabs and dashes, counted by char code: at a million routes (ten
      // million lines) a slice and split per line to count the dashes took 2.4 s and fed the collector.
      let i = marker ? thisStart + 3 : thisStart;
      let dashes = 0;
      for (; i < end; i++) {
        const c = text.charCodeAt(i);
        if (c === DASH && isSeparated(text, i + 1, end)) dashes++;
        else if (!isBlank(c)) break;
      }
      contentStart = i;
      if (blank) continue;
      const commentOnly = text.charCodeAt(i) === HASH;
      const continues = !commentOnly && flowDepth === 0 && plainParent >= 0 && spaces > plainParent;
      if (commentOnly) plainParent = -1;
      else {
        // Each "- " prefix opens a nested level, as does a deeper indentation. Lines inside a flow
        // collection are measured as if they were block lines too: a parser that closes a badly
        // indented flow collection goes on to read them as block structure.
        const indent = i - thisStart;
        while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
        indents.push(indent);
        if (indents.length + dashes > limits.maxDepth) return deeper(indent + 1);
        if (!continues) plainParent = -1;
      }
      from = i;
      // Inside a flow collection a line continues the previous one: `[a,⏎ 'b']` quotes b, `[a⏎ 'b]` is
      // the plain scalar "a 'b".
      fromIsNode = flowDepth > 0 ? flowNodeNext : !continues && (i === thisStart || isBlank(text.charCodeAt(i - 1)));
    }

    let valueEnd = end;
    let scan = !skipPlainLines || flowDepth > 0 || resumed;
    if (!scan) {
      if (nextSpecial !== -1 && nextSpecial < from) {
        LINE_SPECIAL.lastIndex = from;
        nextSpecial = LINE_SPECIAL.exec(text)?.index ?? -1;
      }
      scan = nextSpecial >= 0 && nextSpecial < end;
    }
    if (scan) {
      for (let k = from; k < end; k++) {
        const c = text.charCodeAt(k);
        if (c >= 0x80 || SCAN_SPECIAL[c] === 0) continue;
        if (quote === QUOTE) {
          if (c === BACKSLASH) k++;
          else if (c === QUOTE) quote = 0;
        } else if (quote === APOSTROPHE) {
          if (c === APOSTROPHE) {
            if (text.charCodeAt(k + 1) === APOSTROPHE) k++;
            else quote = 0;
          }
        } else if (c === HASH) {
          // A comment starts at a `#` after a space or a tab (or first on the line).
          if (k === thisStart || isBlank(text.charCodeAt(k - 1))) {
            valueEnd = k;
            break;
          }
        } else if (c === QUOTE || c === APOSTROPHE) {
          if (nodeStartsAt(text, k, from, fromIsNode, flowDepth > 0)) quote = c;
        } else if (c === OPEN_SQUARE || c === OPEN_CURLY) {
          // Inside a flow collection a plain scalar cannot hold a bracket, so every one counts there.
          if (flowDepth > 0 || nodeStartsAt(text, k, from, fromIsNode, false)) {
            if (flowDepth === 0) flowBase = indents.length;
            if (flowBase + ++flowDepth > limits.maxDepth) return deeper(k - thisStart + 1);
          }
        } else if ((c === CLOSE_SQUARE || c === CLOSE_CURLY) && flowDepth > 0) flowDepth--;
      }
    }
    let last = valueEnd - 1;
    while (last >= from && (isBlank(text.charCodeAt(last)) || text.charCodeAt(last) === CR)) last--;
    if (flowDepth > 0 && quote === 0) {
      const c = last >= from ? text.charCodeAt(last) : -1;
      if (last >= from)
        flowNodeNext = c === OPEN_SQUARE || c === OPEN_CURLY || c === COMMA || c === COLON || c === QUESTION;
    }
    if (quote !== 0 || flowDepth > 0 || resumed) {
      plainParent = -1;
      continue;
    }
    const hasComment = valueEnd < end;
    if (last < from) continue;
    const indicator = blockScalarIndicator(text, from, last);
    if (indicator >= 0 && nodeStartsAt(text, indicator, from, fromIsNode, false)) {
      // Its content is indented more than the node that holds it: the key of `key: |`, or for a bare
      // `- |` the column just before the indicator (an over-estimate: more lines scanned, never fewer).
      if (keyLine(text, from, indicator)) blockScalarParent = contentStart - thisStart;
      else if (marker) blockScalarParent = -1;
      else blockScalarParent = indicator - thisStart - 1;
      plainParent = -1;
    } else if (plainParent < 0 && !hasComment && mayContinue(text, from, last)) {
      plainParent = keyLine(text, from, last + 1) ? contentStart - thisStart : contentStart - thisStart - 1;
    } else if (hasComment) plainParent = -1;
  }
  return undefined;
}

/** Whether `k` ends the line or holds a space or a tab: a `-` then is an entry's "- ", `-1` is a number. */
function isSeparated(text: string, k: number, end: number): boolean {
  if (k >= end) return true;
  const c = text.charCodeAt(k);
  return isBlank(c) || c === CR;
}

/** Whether the rest of a line from `k` holds only spaces, tabs and a carriage return. */
function isBlankRest(text: string, k: number, end: number): boolean {
  for (; k < end; k++) {
    const c = text.charCodeAt(k);
    if (!isBlank(c) && c !== CR) return false;
  }
  return true;
}

/** `---` or `...` first on a line and alone or followed by a space: a document starts or ends there. */
function isDocumentMarker(text: string, start: number, end: number): boolean {
  const c = text.charCodeAt(start);
  if (c !== DASH && c !== DOT) return false;
  if (end - start < 3 || text.charCodeAt(start + 1) !== c || text.charCodeAt(start + 2) !== c) return false;
  const after = text.charCodeAt(start + 3);
  return start + 3 === end || isBlank(after) || after === CR;
}

/** Where the quoted scalar open at the start of a line closes (the index after it), or -1 if not here. */
function closingQuote(text: string, k: number, end: number, quote: number): number {
  for (; k < end; k++) {
    const c = text.charCodeAt(k);
    if (quote === QUOTE) {
      if (c === BACKSLASH) k++;
      else if (c === QUOTE) return k + 1;
    } else if (c === APOSTROPHE) {
      if (text.charCodeAt(k + 1) === APOSTROPHE) k++;
      else return k + 1;
    }
  }
  return -1;
}

/**
 * Whether a node (a quoted scalar, a flow collection, a block scalar) can start at `k`: first where the
 * scan of the line started (`from`, if `fromIsNode`), after `: `, after `? ` or `- ` that themselves
 * stand where a node can, after a tag or an anchor (`!!str "x"`, `&a [x]`), and inside a flow collection
 * after `[`, `{` or `,`. Anywhere else the character is part of a plain scalar: `Carrier's hub`, `x[`,
 * `b:'x` and `?'x` inside a flow collection. A JSON-like key may be followed by `:` and no space.
 */
function nodeStartsAt(text: string, k: number, from: number, fromIsNode: boolean, inFlow: boolean): boolean {
  for (let at = k; ; ) {
    let j = at - 1;
    while (j >= from && isBlank(text.charCodeAt(j))) j--;
    if (j < from) return fromIsNode;
    const c = text.charCodeAt(j);
    const spaced = j < at - 1;
    if (inFlow && (c === OPEN_SQUARE || c === OPEN_CURLY || c === COMMA)) return true;
    if (c === COLON) {
      if (spaced) return true;
      const before = text.charCodeAt(j - 1);
      return (
        j > from && (before === QUOTE || before === APOSTROPHE || before === CLOSE_SQUARE || before === CLOSE_CURLY)
      );
    }
    if (!spaced) return false;
    if (c === QUESTION || (c === DASH && !inFlow)) {
      at = j;
      continue;
    }
    // A tag or an anchor: the word before the spaces starts with `!` or `&`.
    let w = j;
    while (w > from && !isBlank(text.charCodeAt(w - 1)) && !(inFlow && isFlowIndicator(text.charCodeAt(w - 1)))) w--;
    const first = text.charCodeAt(w);
    if (first !== BANG && first !== AMPERSAND) return false;
    at = w;
  }
}

function isFlowIndicator(c: number): boolean {
  return c === OPEN_SQUARE || c === OPEN_CURLY || c === COMMA || c === CLOSE_SQUARE || c === CLOSE_CURLY;
}

/** Where a block scalar indicator (`|`, `>`, with up to two of `1-9 + -` after it) ends the line, or -1. */
function blockScalarIndicator(text: string, from: number, last: number): number {
  let p = last;
  for (let n = 0; n < 2 && p > from; n++) {
    const c = text.charCodeAt(p);
    if (c === 0x2b || c === DASH || (c >= 0x31 && c <= 0x39)) p--;
    else break;
  }
  const c = text.charCodeAt(p);
  return c === PIPE || c === GREATER ? p : -1;
}

/** Whether a `:` followed by a space or a tab (a key's end) stands between `from` and `until`. */
function keyLine(text: string, from: number, until: number): boolean {
  for (let k = text.indexOf(':', from); k >= 0 && k < until; k = text.indexOf(':', k + 1)) {
    const after = text.charCodeAt(k + 1);
    if (isBlank(after) || k + 1 === until) return true;
  }
  return false;
}

/**
 * Whether the line ends in a plain scalar that the next, deeper lines may continue: not a key waiting for
 * its value (`key:`), a quoted scalar, a closed flow collection, an alias, a tag or an anchor alone.
 */
function mayContinue(text: string, from: number, last: number): boolean {
  const c = text.charCodeAt(last);
  if (c === COLON || c === QUOTE || c === APOSTROPHE || c === CLOSE_SQUARE || c === CLOSE_CURLY) return false;
  let w = last;
  while (w > from && !isBlank(text.charCodeAt(w - 1))) w--;
  const first = text.charCodeAt(w);
  if (first === BANG || first === AMPERSAND || first === STAR) return false;
  // `- ` or `? ` alone: what follows is the entry, not a continuation.
  return !((first === DASH || first === QUESTION) && w === last);
}
