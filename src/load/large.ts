import jsyaml from 'js-yaml';
import { appendAll } from '../model/arrays.js';
import { type ParseProgress, PROGRESS_BLOCK_BYTES } from '../model/progress.js';
import type { Diagnostic, DocPath, PositionLookup, SourcePos } from '../model/types.js';
import type { YamlLimits } from './limits.js';
import { type ParsedDocument, type ParsedFile, parseYamlDocuments } from './yaml-document.js';
import { parsePiece, parsePieces } from './parse-helper.js';
import { PositionIndex } from './positions.js';
import { lineStarts, positionAt } from './lines.js';

/**
 * The large-file path. `yaml`'s document API parses ~1.5 MB/s and needs ~80 bytes of heap per source
 * byte, so a 270 MB routing table cannot go through it. Large files are parsed with js-yaml (~10 MB/s,
 * plain values only), and positions are found lazily: only when a finding or error needs one, the one
 * route item (or the document head) it lies in is re-parsed with `yaml` for exact line and column.
 */
export function parseLargeYaml(
  file: string,
  text: string,
  limits: YamlLimits,
  { onItems, onSplit }: ParseProgress = {},
  threads = 1,
): ParsedFile {
  const documents: ParsedDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  splitDocuments(text).forEach(({ start, end }, index) => {
    const source = text.slice(start, end);
    const firstLine = lineNumberAt(text, start);
    const items = routeItems(source, onSplit);
    let value: unknown;
    try {
      value =
        parseInPieces(source, items, onItems, threads) ??
        jsyaml.load(source, { schema: jsyaml.CORE_SCHEMA, filename: file });
    } catch (err) {
      if (err instanceof RangeError) {
        diagnostics.push({
          file,
          line: firstLine,
          column: 1,
          code: 'yaml-limit',
          message: `nesting too deep for the parser (limit maxDepth; raise it with --limit maxDepth=N)`,
        });
        return;
      }
      const e = err as jsyaml.YAMLException;
      diagnostics.push({
        file,
        line: firstLine + (e.mark?.line ?? 0),
        column: (e.mark?.column ?? 0) + 1,
        code: 'yaml-syntax',
        message: `YAML syntax error: ${e.reason ?? e.message}`,
      });
      return;
    }
    if (value === undefined || value === null) return;
    const positions = new LazyPositions(file, source, firstLine, limits, items);
    // Only a document that declares an anchor can alias; skip the walk for the usual export.
    const shared = declaresAnchor(source) ? firstSharedReference(value) : undefined;
    if (shared) {
      diagnostics.push({
        ...positions.locate(shared),
        code: 'yaml-limit',
        message: 'aliases are not accepted in large files (over the large-file threshold): write the data out',
      });
      return;
    }
    documents.push({ index, value, positions });
  });
  return { documents, diagnostics };
}

/** Document boundaries (`---` lines); a `...` end marker is left to the parser. */
function splitDocuments(text: string): Array<{ start: number; end: number }> {
  const parts: Array<{ start: number; end: number }> = [];
  const separator = /^---[ \t]*(?:#.*)?\r?$/gm;
  let start = 0;
  for (let match = separator.exec(text); match; match = separator.exec(text)) {
    if (match.index > start || parts.length > 0) parts.push({ start, end: match.index });
    start = match.index + match[0].length + 1;
  }
  parts.push({ start: Math.min(start, text.length), end: text.length });
  return parts.filter((p) => text.slice(p.start, p.end).trim() !== '');
}

function lineNumberAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** js-yaml resolves aliases to shared objects; finding one means the document used an alias. */
function firstSharedReference(root: unknown): DocPath | undefined {
  const seen = new Set<object>();
  const stack: Array<[unknown, DocPath]> = [[root, []]];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (seen.has(value)) return path;
    seen.add(value);
    // Children pushed in reverse so they are visited in document order: the alias is the later sighting.
    const children: Array<[unknown, DocPath]> = Array.isArray(value)
      ? value.map((v, i) => [v, [...path, i]])
      : Object.entries(value).map(([k, v]) => [v, [...path, k]]);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return undefined;
}

/**
 * Positions computed on demand from the source text. Items of the document's `routes:` block sequence
 * are indexed by one scan of the lines; locating a path inside item i re-parses that item alone.
 */
export class LazyPositions implements PositionLookup {
  private itemStarts: number[] | undefined;
  private routesEndOffset = 0;
  private readonly cache = new Map<number, PositionLookup>();
  private head: PositionLookup | undefined;
  private lineStarts: Uint32Array | undefined;

  constructor(
    readonly file: string,
    readonly source: string,
    readonly firstLine: number,
    readonly limits: YamlLimits,
    /** The item scan, when the parse already made it. */
    private readonly items?: RouteItems,
  ) {}

  locate(path: DocPath): SourcePos {
    return this.lookup(path, false);
  }

  locateKey(path: DocPath): SourcePos {
    return this.lookup(path, true);
  }

  private lookup(path: DocPath, key: boolean): SourcePos {
    if (path[0] === 'spec' && path[1] === 'routes' && typeof path[2] === 'number') {
      // The route itself starts right after its "- ": known from the item scan, no parse needed.
      if (path.length === 3 && !key) {
        const start = this.routeItemStarts()[path[2]];
        if (start !== undefined) return this.itemStart(start);
      }
    }
    if (path.length === 2 && path[0] === 'spec' && path[1] === 'routes' && !key) {
      // The sequence starts at its first item's "-", as the exact loader reports it.
      const first = this.routeItemStarts()[0];
      if (first !== undefined) return this.dashOf(first);
    }
    if (path[0] === 'spec' && path[1] === 'routes' && typeof path[2] === 'number') {
      if (path.length >= 4 && typeof path[3] === 'string' && !key && fastPositions.enabled) {
        const direct = this.plainField(path[2], path[3], path.slice(4));
        if (direct) return direct;
      }
      const item = this.item(path[2]);
      if (item) return key ? item.locateKey(path.slice(3)) : item.locate(path.slice(3));
    }
    const head = this.headPositions();
    return key ? head.locateKey(path) : head.locate(path);
  }

  /** Positions within route item `index`, from a parse of just that item's lines. */
  private item(index: number): PositionLookup | undefined {
    const cached = this.cache.get(index);
    if (cached) return cached;
    const starts = this.routeItemStarts();
    if (index >= starts.length) return undefined;
    const start = starts[index];
    const end = index + 1 < starts.length ? starts[index + 1] : this.routesEnd(start);
    const lineOffset = this.lineOf(start) - 1;
    // The item keeps its own indentation, so columns stay right; "- " makes it a one-item sequence.
    const within = snippetPositions(this.file, this.source.slice(start, end));
    if (!within) return undefined;
    const shifted: PositionLookup = {
      locate: (p) => shift(within.locate([0, ...p]), lineOffset),
      locateKey: (p) => shift(within.locateKey([0, ...p]), lineOffset),
    };
    if (this.cache.size > 256) this.cache.clear();
    this.cache.set(index, shifted);
    return shifted;
  }

  /**
   * A route's own `key: value` written in block style on one line (`encryption: none`), or a value inside
   * a one-line flow collection after it (`primary: {carrier: x}` for primary.carrier, `transit: [a, b]`
   * for transit.1), found by reading the item's lines instead of parsing it: the location of most failing
   * routes at national scale, where re-parsing each item was most of the audit's time. Anything else
   * (quoted keys, values on the next line, anchors, comments inside) is left to the parse.
   */
  private plainField(index: number, field: string, inner: DocPath = []): SourcePos | undefined {
    const starts = this.routeItemStarts();
    const start = starts[index];
    if (start === undefined) return undefined;
    const end = index + 1 < starts.length ? starts[index + 1] : this.routesEnd(start);
    let dash = start;
    while (this.source[dash] === ' ') dash++;
    let fieldColumn = dash + 1;
    while (this.source[fieldColumn] === ' ') fieldColumn++;
    const fieldIndent = fieldColumn - start;
    const prefix = `${field}:`;
    for (let line = start; line < end; ) {
      let next = this.source.indexOf('\n', line);
      if (next < 0 || next > end) next = end;
      const at = line === start ? fieldColumn : line + fieldIndent;
      const onColumn = line === start || isBlank(this.source, line, at);
      if (onColumn && this.source.startsWith(prefix, at)) {
        let value = at + prefix.length;
        if (this.source[value] !== ' ' && this.source[value] !== '\t') return undefined;
        while (this.source[value] === ' ' || this.source[value] === '\t') value++;
        if (value >= next || this.source[value] === '#' || this.source[value] === '\r') return undefined;
        const found = inner.length === 0 ? value : flowValueAt(this.source, value, next, inner);
        if (found < 0) return undefined;
        return { file: this.file, line: this.lineOf(line), column: found - line + 1 };
      }
      line = next + 1;
    }
    return undefined;
  }

  private dashOf(offset: number): SourcePos {
    let i = offset;
    while (this.source[i] === ' ') i++;
    return { file: this.file, line: this.lineOf(offset), column: i - offset + 1 };
  }

  private itemStart(offset: number): SourcePos {
    let i = offset;
    while (this.source[i] === ' ') i++;
    i++; // the "-"
    while (this.source[i] === ' ') i++;
    const line = this.lineOf(offset);
    return { file: this.file, line, column: i - offset + 1 };
  }

  private headPositions(): PositionLookup {
    if (!this.head) {
      this.routeItemStarts();
      const end = this.itemStarts && this.itemStarts.length > 0 ? this.itemStarts[0] : this.source.length;
      // The head is small: parse it with the exact loader (never the large path again).
      const parsed = parseYamlDocuments(this.file, this.source.slice(0, end), this.limits).documents[0];
      const offset = this.firstLine - 1;
      const fallback = { file: this.file, line: this.firstLine, column: 1 };
      this.head = parsed
        ? {
            locate: (p) => shift(parsed.positions.locate(p), offset),
            locateKey: (p) => shift(parsed.positions.locateKey(p), offset),
          }
        : { locate: () => fallback, locateKey: () => fallback };
    }
    return this.head;
  }

  /** Offsets of each `- ` item line of the block sequence under `routes:`. */
  private routeItemStarts(): number[] {
    if (this.itemStarts) return this.itemStarts;
    const items = this.items ?? routeItems(this.source);
    this.itemStarts = items.starts;
    this.routesEndOffset = items.end;
    return items.starts;
  }

  private routesEnd(start: number): number {
    return Math.max(start, Math.min(this.routesEndOffset, this.source.length));
  }

  private lineOf(offset: number): number {
    this.lineStarts ??= lineStarts(this.source);
    return this.firstLine + positionAt(this.lineStarts, offset).line - 1;
  }
}

/**
 * Whether text[from, to) is all white space, as `text.slice(from, to).trim() === ''` says, without the
 * slice: plainField asks it of most lines of every failing route, some fifteen million at a million routes.
 */
export function isBlank(text: string, from: number, to: number): boolean {
  const end = Math.min(to, text.length);
  for (let i = from; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === 32 || code === 9) continue;
    // trim's white space is that of \s: line terminators, no-break and other Unicode spaces, the BOM.
    if (code < 128 ? !WHITE_ASCII.has(code) : !/\s/.test(text[i])) return false;
  }
  return true;
}

/** The ASCII characters trim removes: tab, LF, VT, FF, CR and space. */
const WHITE_ASCII = new Set([9, 10, 11, 12, 13, 32]);

/** Where the items of a document's `routes:` block sequence start, and where the sequence ends. */
export interface RouteItems {
  starts: number[];
  /** Offset just past the sequence's last line (the source's length when it runs to the end). */
  end: number;
  /** Offset of the `routes:` line; -1 when the document has none. */
  key: number;
}

const ROUTES_KEY = /^([ \t]*)routes:[ \t]*(#.*)?\r?$/gm;

/**
 * One scan of the lines after the first block-style `routes:` key: each line at the items' indentation
 * that starts with `-` starts an item; a line less indented, or as indented without `-`, ends the
 * sequence. Blank and comment lines belong to the item before them.
 */
export function routeItems(source: string, onSplit?: (done: number, total: number) => void): RouteItems {
  const starts: number[] = [];
  let report = onSplit ? PROGRESS_BLOCK_BYTES : Number.POSITIVE_INFINITY;
  ROUTES_KEY.lastIndex = 0;
  const routesKey = ROUTES_KEY.exec(source);
  if (!routesKey) return { starts, end: 0, key: -1 };
  let itemIndent = -1;
  let offset = routesKey.index + routesKey[0].length + 1;
  while (offset < source.length) {
    if (offset >= report) {
      onSplit!(offset, source.length);
      report += PROGRESS_BLOCK_BYTES;
    }
    let end = source.indexOf('\n', offset);
    if (end < 0) end = source.length;
    let indent = 0;
    while (source[offset + indent] === ' ') indent++;
    const first = source[offset + indent];
    const blank = first === undefined || first === '\n' || first === '\r' || first === '#';
    if (!blank) {
      if (itemIndent < 0) {
        if (first !== '-') break;
        itemIndent = indent;
      }
      if (indent < itemIndent || (indent === itemIndent && first !== '-')) break;
      if (indent === itemIndent) starts.push(offset);
    }
    offset = end + 1;
  }
  return { starts, end: offset, key: routesKey.index };
}

/**
 * The performance device of the large-file path: a document with a long `routes:` block sequence is
 * parsed in pieces (the rest of the document, then `itemsPerPiece` items at a time), so the loader can
 * say how far it is through a national table, and js-yaml copies a piece at a time rather than the whole
 * file. Whatever the pieces do not give exactly as one parse would (an error, an alias, an unexpected
 * shape), the document is parsed whole instead. `enabled` false: always whole (tests compare the two).
 */
export const piecewiseParse = { enabled: true, itemsPerPiece: 5_000 };

/**
 * The document's value from its pieces, or undefined to parse it whole: when it has no long `routes:`
 * sequence, more than one `routes:` line, or any piece fails or is not what a whole parse would give.
 */
function parseInPieces(
  source: string,
  items: RouteItems,
  onItems: ((done: number, total: number) => void) | undefined,
  threads: number,
): unknown | undefined {
  const { starts, end } = items;
  const per = Math.max(1, piecewiseParse.itemsPerPiece);
  if (!piecewiseParse.enabled || starts.length <= per) return undefined;
  ROUTES_KEY.lastIndex = items.key + 1;
  if (ROUTES_KEY.exec(source)) return undefined; // a second `routes:` line: which one is spec.routes?
  // Items less indented than their key are not its value (one parse fails there); pieces would take them.
  const indent = indentAt(source, starts[0]);
  if (indent < indentAt(source, items.key)) return undefined;
  // What one parse shares across the pieces: anchors (an alias elsewhere may name one), directives
  // (%TAG applies to every node). And js-yaml lets a nested sequence with an empty entry (`-` alone, or
  // with only a tag or anchor) run on into the next, less indented `- ` line: item boundaries would move.
  const routesText = source.slice(starts[0], end);
  if (declaresAnchor(source) || hasDirective(source) || EMPTY_ENTRY.test(routesText)) return undefined;
  if (source.includes(SENTINEL)) return undefined;
  try {
    // The head keeps one item, a sentinel, where the items were: only if it comes back as spec.routes
    // were the lines taken out the value of spec.routes (and not of another `routes:`, or inside a scalar).
    // Named before the head and the first piece are parsed (a second at national scale).
    onItems?.(0, starts.length);
    const headText = `${source.slice(0, starts[0])}${' '.repeat(indent)}- ${SENTINEL}\n${source.slice(end)}`;
    const head = jsyaml.load(headText, { schema: jsyaml.CORE_SCHEMA });
    const spec = isRecord(head) ? head.spec : undefined;
    if (!isRecord(spec) || !Array.isArray(spec.routes) || spec.routes.length !== 1 || spec.routes[0] !== SENTINEL)
      return undefined;
    const firsts: number[] = [];
    for (let first = 0; first < starts.length; first += per) firsts.push(first);
    const lastOf = (k: number) => Math.min(firsts[k] + per, starts.length);
    const texts = firsts.map((first, k) => {
      const last = lastOf(k);
      return source.slice(starts[first], last < starts.length ? starts[last] : end);
    });
    // Pieces may be parsed out of order (on the helper thread, from the back): the count said is of items.
    let parsed = 0;
    const pieces = parsePieces(texts, parsePiece, threads, (k) =>
      onItems?.((parsed += lastOf(k) - firsts[k]), starts.length),
    );
    const routes: unknown[] = [];
    for (const [k, piece] of pieces.entries()) {
      if (!Array.isArray(piece) || piece.length !== lastOf(k) - firsts[k]) return undefined;
      appendAll(routes, piece);
    }
    spec.routes = routes;
    return head;
  } catch {
    return undefined; // the whole parse says what is wrong, where
  }
}

/**
 * A node anchor (`&name`) anywhere in a document: js-yaml would then share objects, or aliases resolve
 * across pieces. What /(^|[\s[{,:-])&[^\s,[\]{}]/m matches, found from each `&` (most tables have none):
 * the regex tried at every character of a 300 MB table took 0.3 s.
 */
export function declaresAnchor(source: string): boolean {
  for (let i = source.indexOf('&'); i >= 0; i = source.indexOf('&', i + 1))
    if ((i === 0 || ANCHOR_BEFORE.test(source[i - 1])) && i + 1 < source.length && ANCHOR_NAME.test(source[i + 1]))
      return true;
  return false;
}
const ANCHOR_BEFORE = /[\s[{,:-]/;
const ANCHOR_NAME = /[^\s,[\]{}]/;

/** A directive line (%YAML, %TAG): what /^%/m matches, found from each `%`. */
export function hasDirective(source: string): boolean {
  for (let i = source.indexOf('%'); i >= 0; i = source.indexOf('%', i + 1))
    if (i === 0 || LINE_END.test(source[i - 1])) return true;
  return false;
}
const LINE_END = /[\n\r\u2028\u2029]/;
/** A sequence entry with nothing in it but other dashes, tags, anchors or a comment. */
const EMPTY_ENTRY = /^[ \t]*-(?:[ \t]+-)*(?:[ \t]+[!&]\S*)*[ \t]*(?:#.*)?$/m;
/** Stands in the head for the items taken out (see parseInPieces); a document holding it is parsed whole. */
const SENTINEL = 'ixaudit-piecewise-parse-sentinel-7f3a';

function indentAt(source: string, lineStart: number): number {
  let i = lineStart;
  while (source[i] === ' ') i++;
  return i - lineStart;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The switch for the line-reading shortcuts of plainField (tests compare them with the parse): off, every
 * position inside a route item comes from parsing that item.
 */
export const fastPositions = { enabled: true };

/** Characters that end a plain scalar inside a flow collection. */
const FLOW_INDICATOR = new Set([',', '[', ']', '{', '}']);

/**
 * Where the value at `path` starts inside the flow collection written from `from` to `end` on one line
 * (`{carrier: x}`, `[a, b]`, `[{carrier: y}]`), or -1 whenever the text is anything but plain keys and
 * plain or quoted scalars: the caller then parses the item, so an unusual spelling is never mislocated.
 */
export function flowValueAt(text: string, from: number, end: number, path: DocPath): number {
  let i = from;
  const space = () => {
    while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  /** Past one plain or quoted scalar; false for anything else (aliases, anchors, tags, empty values). */
  const scalar = (): boolean => {
    const c = text[i];
    if (c === '"' || c === "'") {
      for (i++; i < end; i++) {
        if (c === '"' && text[i] === '\\') i++;
        else if (text[i] === c) {
          if (c === "'" && text[i + 1] === "'") i++;
          else {
            i++;
            return true;
          }
        }
      }
      return false;
    }
    if (c === undefined || i >= end || FLOW_INDICATOR.has(c) || '&*!|>#%@`:'.includes(c)) return false;
    while (
      i < end &&
      !FLOW_INDICATOR.has(text[i]) &&
      !(text[i] === ':' && (text[i + 1] === ' ' || text[i + 1] === ',' || text[i + 1] === '}')) &&
      !(text[i] === '#' && text[i - 1] === ' ')
    )
      i++;
    return true;
  };
  /** Past one node: a scalar or a nested collection. */
  const node = (): boolean => {
    if (text[i] !== '[' && text[i] !== '{') return scalar();
    const close = text[i] === '[' ? ']' : '}';
    const isMap = close === '}';
    i++;
    space();
    if (text[i] === close) {
      i++;
      return true;
    }
    for (;;) {
      if (isMap) {
        if (!plainKey()) return false;
        space();
      }
      if (!node()) return false;
      space();
      if (text[i] === close) {
        i++;
        return true;
      }
      if (text[i] !== ',') return false;
      i++;
      space();
    }
  };
  /** Past a plain key and its ": "; the key is returned (undefined when it is not a plain word). */
  let lastKey = '';
  const plainKey = (): boolean => {
    const start = i;
    while (i < end && /[A-Za-z0-9_-]/.test(text[i])) i++;
    if (i === start || text[i] !== ':' || (text[i + 1] !== ' ' && text[i + 1] !== '\t')) return false;
    lastKey = text.slice(start, i);
    i++;
    space();
    return true;
  };
  for (const segment of path) {
    space();
    if (typeof segment === 'number') {
      if (text[i] !== '[') return -1;
      i++;
      for (let k = 0; ; k++) {
        space();
        if (text[i] === ']' || i >= end) return -1;
        if (k === segment) break;
        if (!node()) return -1;
        space();
        if (text[i] !== ',') return -1;
        i++;
      }
    } else {
      if (text[i] !== '{') return -1;
      i++;
      for (;;) {
        space();
        if (text[i] === '}' || i >= end) return -1;
        if (!plainKey()) return -1;
        if (lastKey === segment) break;
        if (!node()) return -1;
        space();
        if (text[i] !== ',') return -1;
        i++;
      }
    }
  }
  space();
  const start = i;
  // Only a value that is itself well formed counts (an empty value or an alias is left to the parse).
  return node() ? start : -1;
}

function shift(pos: SourcePos, lines: number): SourcePos {
  return { file: pos.file, line: pos.line + lines, column: pos.column };
}

interface Frame {
  open: number;
  close: number;
  kind: string;
  result: unknown;
  children: Frame[];
}

/**
 * Positions of every node of a small YAML snippet, from js-yaml's parse events (~15 µs for a route item,
 * against ~300 µs for a yaml document parse). Events give where each node opens and closes; a node's
 * text starts at the first character after its open position that is not a space or a comment, and an
 * empty value is placed at its key, as the main loader does.
 */
export function snippetPositions(file: string, text: string): PositionIndex | undefined {
  const stack: Frame[] = [];
  let root: Frame | undefined;
  try {
    jsyaml.load(text, {
      schema: jsyaml.CORE_SCHEMA,
      listener(type, state) {
        if (type === 'open') {
          stack.push({ open: state.position, close: -1, kind: '', result: undefined, children: [] });
          return;
        }
        const frame = stack.pop()!;
        frame.close = state.position;
        frame.kind = state.kind ?? '';
        frame.result = state.result;
        if (stack.length > 0) stack[stack.length - 1].children.push(frame);
        else root = frame;
      },
    });
  } catch {
    return undefined;
  }
  if (!root) return undefined;
  const starts = lineStarts(text);
  const at = (offset: number) => positionAt(starts, offset);

  const startOf = (frame: Frame) => {
    let i = frame.open;
    for (;;) {
      while (i < frame.close && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
      if (text[i] !== '#') return i;
      while (i < frame.close && text[i] !== '\n') i++;
    }
  };
  const positions = new PositionIndex(file, { file, line: 1, column: 1 });
  const visit = (outer: Frame, path: Array<string | number>, keyStart?: number) => {
    // js-yaml wraps a flow collection met in block context in a second node with the same result.
    let frame = outer;
    while (
      frame.children.length === 1 &&
      frame.children[0].result === frame.result &&
      typeof frame.result === 'object' &&
      frame.result !== null
    )
      frame = frame.children[0];
    const empty = frame.result === null && startOf(frame) >= frame.close;
    const start = empty && keyStart !== undefined ? at(keyStart) : at(startOf(frame));
    positions.setValue(path, start.line, start.column);
    if (frame.kind === 'mapping') {
      for (let i = 0; i + 1 < frame.children.length; i += 2) {
        const key = frame.children[i];
        const childPath = [...path, String(key.result)];
        const keyAt = startOf(key);
        const k = at(keyAt);
        positions.setKey(childPath, k.line, k.column);
        visit(frame.children[i + 1], childPath, keyAt);
      }
    } else if (frame.kind === 'sequence') {
      frame.children.forEach((child, i) => {
        visit(child, [...path, i]);
      });
    }
  };
  visit(root, []);
  return positions;
}
