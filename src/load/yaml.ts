import { Alias, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, Scalar } from 'yaml';
import type { Node as YamlNode, Document } from 'yaml';
import type { Diagnostic, DocPath, PositionLookup } from '../model/types.js';
import { PositionIndex } from './positions.js';
import { parseLargeYaml } from './large.js';

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

/** Parses `--limit name=value` settings over the defaults; unknown names and non-numbers are usage errors. */
export function parseLimits(settings: string[]): YamlLimits | string {
  const limits = { ...DEFAULT_YAML_LIMITS };
  for (const setting of settings) {
    const match = /^(\w+)=(\d+)$/.exec(setting);
    if (!match || !(match[1] in limits)) {
      return `--limit expects name=number with name one of ${Object.keys(DEFAULT_YAML_LIMITS).join(', ')}; got "${setting}"`;
    }
    limits[match[1] as keyof YamlLimits] = Number(match[2]);
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
      return { file, line, column: 1, code: 'yaml-limit', message: `line is ${end - lineStart} characters long, more than the limit of ${limits.maxLineBytes} (limit maxLineBytes; raise it with --limit maxLineBytes=N)` };
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
        return { file, line, column: i - lineStart + 1, code: 'yaml-limit', message: `nesting deeper than ${limits.maxDepth} levels (limit maxDepth; raise it with --limit maxDepth=N)` };
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
          return { file, line, column: k - lineStart + 1, code: 'yaml-limit', message: `nesting deeper than ${limits.maxDepth} levels (limit maxDepth; raise it with --limit maxDepth=N)` };
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

  const parsed = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const yamlDocs: Document.Parsed[] = Array.isArray(parsed) ? parsed : [];
  if (!Array.isArray(parsed)) {
    // An empty stream parses to a special "EmptyStream" value: nothing to audit, not an error.
    return { documents, diagnostics };
  }

  yamlDocs.forEach((doc, index) => {
    const problems = [...doc.errors, ...doc.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED')];
    for (const problem of problems) {
      diagnostics.push({ ...at(problem.pos[0]), code: 'yaml-syntax', message: plainYamlMessage(problem.code, problem.message) });
    }
    if (problems.length > 0 || doc.contents === null) return;

    const start = at(doc.contents.range?.[0] ?? 0);
    const positions = new PositionIndex(file, start);
    const converter = new Converter(doc, positions, at, limits);
    try {
      const value = converter.convert(doc.contents, [], 0, false);
      documents.push({ index, value, positions });
    } catch (err) {
      if (err instanceof LimitExceeded) {
        diagnostics.push({ ...err.where, code: 'yaml-limit', message: err.message });
        return;
      }
      throw err;
    }
  });
  return { documents, diagnostics };
}

function plainYamlMessage(code: string, message: string): string {
  const firstLine = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  if (code === 'DUPLICATE_KEY') return 'duplicate key: each key may appear only once in a map';
  if (code === 'TAG_RESOLVE_FAILED') return `${firstLine.replace('Unresolved tag', 'unsupported tag')} (custom and language tags are not accepted)`;
  return `YAML syntax error: ${firstLine}`;
}

class LimitExceeded extends Error {
  constructor(
    message: string,
    readonly where: { file: string; line: number; column: number },
  ) {
    super(message);
  }
}

/** Turns the yaml AST into plain objects, recording where each value and key is written. */
class Converter {
  private aliasNodes = 0;
  /** The alias (written in the document) whose expansion is being converted: where a bomb is reported. */
  private expandingAlias: YamlNode | undefined;

  constructor(
    private readonly doc: Document.Parsed,
    private readonly positions: PositionIndex,
    private readonly at: (offset: number) => { file: string; line: number; column: number },
    private readonly limits: YamlLimits,
  ) {}

  convert(node: unknown, path: DocPath, depth: number, viaAlias: boolean): unknown {
    const yamlNode = node as YamlNode;
    if (yamlNode?.range && !viaAlias) {
      const { line, column } = this.at(yamlNode.range[0]);
      this.positions.setValue(path, line, column);
    }
    if (viaAlias && ++this.aliasNodes > this.limits.maxAliasExpansion) {
      throw new LimitExceeded(
        `aliases expand to more than ${this.limits.maxAliasExpansion} nodes (limit maxAliasExpansion): write the data out instead of aliasing it`,
        this.at(this.expandingAlias?.range?.[0] ?? 0),
      );
    }
    if (depth > this.limits.maxDepth) {
      throw new LimitExceeded(`nesting deeper than ${this.limits.maxDepth} levels (limit maxDepth; raise it with --limit maxDepth=N)`, this.at(yamlNode?.range?.[0] ?? 0));
    }
    if (isAlias(node)) {
      if (!viaAlias) this.expandingAlias = yamlNode;
      const target = (node as Alias).resolve(this.doc);
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
