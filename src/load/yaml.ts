import {
  type Alias,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Scalar,
  visit,
} from 'yaml';
import type { Node as YamlNode, Document } from 'yaml';
import type { Diagnostic, DocPath, PositionLookup } from '../model/types.js';
import { PositionIndex } from './positions.js';
import { parseLargeYaml } from './large.js';
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

/**
 * Cheap checks before the parser sees the text, so hostile shapes fail fast with one clear message
 * instead of exhausting the parser's stack or memory: over-long lines and excessive nesting (block
 * indentation levels plus open flow brackets; an over-estimate is fine at a limit no real document nears).
 */
export function prescan(file: string, text: string, limits: YamlLimits): Diagnostic | undefined {
  // In a large file, flow brackets are not scanned character by character (too slow for 300 MB); its
  // parser reports excessive flow nesting instead.
  const scanFlow = text.length < limits.largeFileBytes;
  const indents: number[] = [];
  let flowDepth = 0;
  let line = 1;
  let lineStart = 0;
  while (lineStart <= text.length) {
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
    let i = lineStart;
    while (i < end && (text[i] === ' ' || text[i] === '-' || text[i] === '\t')) i++;
    const content = text[i];
    if (i < end && content !== '#' && content !== '\r' && flowDepth === 0) {
      // Each "- " prefix opens a nested level, as does a deeper indentation.
      const indent = i - lineStart;
      while (indents.length > 0 && indents[indents.length - 1] >= indent) indents.pop();
      indents.push(indent);
      const dashes = text.slice(lineStart, i).split('-').length - 1;
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

export interface ParsedDocument {
  index: number;
  value: unknown;
  positions: PositionLookup;
}

export interface ParsedFile {
  documents: ParsedDocument[];
  diagnostics: Diagnostic[];
}

/**
 * Parses every YAML document of one file into plain data plus a position index.
 * A document with syntax errors is reported and skipped; the other documents of the file still load.
 */
export function parseYaml(file: string, text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): ParsedFile {
  const lineCounter = new LineCounter();
  const diagnostics: Diagnostic[] = [];
  const documents: ParsedDocument[] = [];
  const refused = prescan(file, text, limits);
  if (refused) return { documents, diagnostics: [refused] };
  if (text.length >= limits.largeFileBytes) return parseLargeYaml(file, text, limits);
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };

  const parsed = parseAllDocuments(text, { lineCounter, uniqueKeys: false, prettyErrors: false, strict: true });
  const yamlDocs: Document.Parsed[] = Array.isArray(parsed) ? parsed : [];
  if (!Array.isArray(parsed)) {
    // An empty stream parses to a special "EmptyStream" value: nothing to audit, not an error.
    return { documents, diagnostics };
  }

  yamlDocs.forEach((doc, index) => {
    const before = diagnostics.length;
    const problems = [...doc.errors, ...doc.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED')];
    for (const problem of problems) {
      diagnostics.push({
        ...at(problem.pos[0]),
        code: 'yaml-syntax',
        message: plainYamlMessage(problem.code, problem.message),
      });
    }
    // yaml's own uniqueKeys check compares each key with every earlier one (quadratic: a 50,000-key
    // map took seconds); this one pass finds the same duplicates, and also keys equal as text (1 and "1").
    if (problems.length === 0) {
      for (const offset of duplicateKeyOffsets(doc))
        diagnostics.push({ ...at(offset), code: 'yaml-syntax', message: plainYamlMessage('DUPLICATE_KEY', '') });
    }
    if (problems.length > 0 || diagnostics.length > before || doc.contents === null) return;

    const start = at(doc.contents.range?.[0] ?? 0);
    const positions = new PositionIndex(file, start);
    const converter = new Converter(doc, positions, at, limits);
    try {
      const value = converter.convert(doc.contents, [], 0, false);
      documents.push({ index, value, positions });
    } catch (err) {
      if (err instanceof LimitExceeded) {
        diagnostics.push({ ...err.where, code: err.code, message: err.message });
        return;
      }
      throw err;
    }
  });
  return { documents, diagnostics };
}

/** Where each repeated key of each map of the document is written (the second and later sightings). */
function duplicateKeyOffsets(doc: Document.Parsed): number[] {
  const offsets: number[] = [];
  visit(doc, {
    Map: (_key, map) => {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = pair.key as YamlNode | null;
        if (!isScalar(key)) continue; // non-scalar keys are refused when converting
        const text = String((key as Scalar).value);
        if (seen.has(text)) offsets.push(key.range?.[0] ?? 0);
        else seen.add(text);
      }
    },
  });
  return offsets;
}

function plainYamlMessage(code: string, message: string): string {
  const firstLine = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  if (code === 'DUPLICATE_KEY') return 'duplicate key: each key may appear only once in a map';
  if (code === 'TAG_RESOLVE_FAILED')
    return `${firstLine.replace('Unresolved tag', 'unsupported tag')} (custom and language tags are not accepted)`;
  return `YAML syntax error: ${firstLine}`;
}

class LimitExceeded extends Error {
  constructor(
    message: string,
    readonly where: { file: string; line: number; column: number },
    readonly code: 'yaml-limit' | 'yaml-syntax' = 'yaml-limit',
  ) {
    super(message);
  }
}

/** Work done for aliases (document walks, resolutions, expansion sizes computed): counted so tests can bound it without timing. */
export const aliasWork = { walks: 0, resolved: 0, sized: 0 };

/** Turns the yaml AST into plain objects, recording where each value and key is written. */
class Converter {
  private aliasNodes = 0;
  /** Each alias's anchor (the last one of that name before it), found in one walk of the document. */
  private targets: Map<Alias, YamlNode | undefined> | undefined;
  /** Nodes an anchored node expands to (memoised: 9,999 aliases of one anchor cost one count). */
  private readonly sizes = new Map<unknown, number>();
  private readonly sizing = new Set<unknown>();

  constructor(
    private readonly doc: Document.Parsed,
    private readonly positions: PositionIndex,
    private readonly at: (offset: number) => { file: string; line: number; column: number },
    private readonly limits: YamlLimits,
  ) {}

  /**
   * The anchor an alias refers to. yaml's Alias.resolve walks the whole document on every call (a file
   * with 10,000 aliases and 400,000 nodes took minutes); one walk serves them all.
   */
  private target(alias: Alias): YamlNode | undefined {
    if (!this.targets) {
      const targets = new Map<Alias, YamlNode | undefined>();
      const latest = new Map<string, YamlNode>();
      visit(this.doc, {
        Node: (_key, node) => {
          if (isAlias(node)) targets.set(node, latest.get(node.source));
          else if ((node as { anchor?: string }).anchor)
            latest.set((node as { anchor: string }).anchor, node as YamlNode);
        },
      });
      this.targets = targets;
      aliasWork.walks++;
    }
    aliasWork.resolved++;
    return this.targets.get(alias);
  }

  /**
   * How many nodes converting `node` through an alias produces (as the old per-node count did: each
   * scalar, map, list, empty value and nested alias is one), memoised per node. A loop (an alias inside
   * its own anchor) or nesting past maxDepth is reported at the alias being expanded.
   */
  private expandedSize(node: unknown, depth: number, alias: Alias): number {
    if (node === null || node === undefined || typeof node !== 'object') return 1;
    const memo = this.sizes.get(node);
    if (memo !== undefined) return memo;
    const where = () => this.at(alias.range?.[0] ?? 0);
    if (this.sizing.has(node)) {
      throw new LimitExceeded(
        `alias *${alias.source} lies inside the anchor it refers to (a loop): write the data out instead of aliasing it`,
        where(),
      );
    }
    if (depth > this.limits.maxDepth) {
      throw new LimitExceeded(
        `nesting deeper than ${this.limits.maxDepth} levels (limit maxDepth; raise it with --limit maxDepth=N)`,
        where(),
      );
    }
    aliasWork.sized++;
    this.sizing.add(node);
    let size = 1;
    if (isAlias(node)) {
      const target = this.target(node as Alias);
      size += target ? this.expandedSize(target, depth + 1, alias) : 0;
    } else if (isMap(node)) {
      for (const pair of node.items) if (isPair(pair)) size += this.expandedSize(pair.value, depth + 1, alias);
    } else if (isSeq(node)) {
      for (const item of node.items) size += this.expandedSize(item, depth + 1, alias);
    }
    this.sizing.delete(node);
    // Stop adding once past the limit: the caller reports it, and sums stay far from overflow.
    size = Math.min(size, this.limits.maxAliasExpansion + 1);
    this.sizes.set(node, size);
    return size;
  }

  convert(node: unknown, path: DocPath, depth: number, viaAlias: boolean): unknown {
    const yamlNode = node as YamlNode;
    if (yamlNode?.range && !viaAlias) {
      const { line, column } = this.at(yamlNode.range[0]);
      this.positions.setValue(path, line, column);
    }
    if (depth > this.limits.maxDepth) {
      throw new LimitExceeded(
        `nesting deeper than ${this.limits.maxDepth} levels (limit maxDepth; raise it with --limit maxDepth=N)`,
        this.at(yamlNode?.range?.[0] ?? 0),
      );
    }
    if (isAlias(node)) {
      const alias = node as Alias;
      const target = this.target(alias);
      if (!target) {
        throw new LimitExceeded(
          `alias *${alias.source} has no anchor &${alias.source} before it in this document (an anchor does not reach past a "---" into another document): write the value out`,
          this.at(alias.range?.[0] ?? 0),
          'yaml-syntax',
        );
      }
      if (!viaAlias) {
        // The whole expansion is counted up front, from memoised sizes: linear in the document.
        this.aliasNodes += this.expandedSize(target, 0, alias);
        if (this.aliasNodes > this.limits.maxAliasExpansion) {
          throw new LimitExceeded(
            `aliases expand to more than ${this.limits.maxAliasExpansion} nodes (limit maxAliasExpansion): write the data out instead of aliasing it`,
            this.at(alias.range?.[0] ?? 0),
          );
        }
      }
      return this.convert(target, path, depth + 1, true);
    }
    if (isScalar(node)) return (node as Scalar).value;
    if (isMap(node)) {
      // Own data properties only: a key such as "__proto__" becomes an ordinary field (later rejected
      // by the schema) instead of changing the object's prototype.
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as YamlNode | null;
        const key = isScalar(keyNode) ? String((keyNode as Scalar).value) : null;
        if (key === null) {
          throw new LimitExceeded('map keys must be plain scalars', this.at(keyNode?.range?.[0] ?? 0));
        }
        const childPath = [...path, key];
        if (keyNode?.range && !viaAlias) {
          const { line, column } = this.at(keyNode.range[0]);
          this.positions.setKey(childPath, line, column);
        }
        if (pair.value === null && keyNode?.range && !viaAlias) {
          // `key:` with nothing after it: point at the key, the only place the user wrote.
          const { line, column } = this.at(keyNode.range[0]);
          this.positions.setValue(childPath, line, column);
        }
        Object.defineProperty(out, key, {
          value: this.convert(pair.value, childPath, depth + 1, viaAlias),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    if (isSeq(node)) {
      return node.items.map((item, i) => this.convert(item, [...path, i], depth + 1, viaAlias));
    }
    return null;
  }
}
