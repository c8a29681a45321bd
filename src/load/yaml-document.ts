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
import { DEFAULT_YAML_LIMITS, type YamlLimits } from './limits.js';
import { PositionIndex } from './positions.js';

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
 * Parses every YAML document of a text held whole (the `yaml` document API) into plain data plus a
 * position index; parseYaml (yaml.ts) decides between this and the large-file path.
 * A document with syntax errors is reported and skipped; the other documents of the file still load.
 */
export function parseYamlDocuments(file: string, text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): ParsedFile {
  const lineCounter = new LineCounter();
  const diagnostics: Diagnostic[] = [];
  const documents: ParsedDocument[] = [];
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
    // One mistake makes the parser report several errors (a mis-indented key: one for each line after
    // it); the first is where the mistake is, so only it is reported, with the count of the others.
    if (problems.length > 0) {
      const first = problems[0]!;
      const others = problems.length - 1;
      diagnostics.push({
        ...at(first.pos[0]),
        code: 'yaml-syntax',
        message: `${plainYamlMessage(first.code, first.message)}${others > 0 ? ` (${others} further syntax error(s) in this document, most likely caused by this one, are reported once it is fixed)` : ''}`,
      });
    }
    // yaml's own uniqueKeys check compares each key with every earlier one (quadratic: a 50,000-key
    // map took seconds); this one pass finds the same duplicates, and also keys equal as text (1 and "1").
    if (problems.length === 0) {
      for (const { key, offset, firstOffset } of duplicateKeys(doc))
        diagnostics.push({
          ...at(offset),
          code: 'yaml-syntax',
          message: `duplicate key ${JSON.stringify(key)}: each key may appear only once in a map (first at line ${at(firstOffset).line})`,
        });
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

/** Each repeated key of each map of the document: its text, where it is repeated and where it was first written. */
function duplicateKeys(doc: Document.Parsed): Array<{ key: string; offset: number; firstOffset: number }> {
  const repeated: Array<{ key: string; offset: number; firstOffset: number }> = [];
  visit(doc, {
    Map: (_key, map) => {
      const seen = new Map<string, number>();
      for (const pair of map.items) {
        const key = pair.key as YamlNode | null;
        if (!isScalar(key)) continue; // non-scalar keys are refused when converting
        const text = String((key as Scalar).value);
        const offset = key.range?.[0] ?? 0;
        const first = seen.get(text);
        if (first !== undefined) repeated.push({ key: text, offset, firstOffset: first });
        else seen.set(text, offset);
      }
    },
  });
  return repeated;
}

/** What the parser's error means to someone editing the file, without the parser's vocabulary. */
function plainYamlMessage(code: string, message: string): string {
  const firstLine = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  if (code === 'TAG_RESOLVE_FAILED')
    return `${firstLine.replace('Unresolved tag', 'unsupported tag')} (custom and language tags are not accepted)`;
  const plain = (text: string) => `YAML syntax error: ${text}`;
  if (code === 'TAB_AS_INDENT') return plain('a tab indents this line: YAML indents with spaces only');
  if (/quote/i.test(firstLine) && code === 'MISSING_CHAR')
    return plain('a quoted text is not closed: add the closing quote on the same line');
  if (/^Flow (sequence|mapping)/.test(firstLine) || (code === 'MISSING_CHAR' && /[\]}]/.test(firstLine)))
    return plain('a [list] or {map} opened before this line is not closed: add the missing ] or } on its line');
  if (/without - indicator/.test(firstLine))
    return plain(
      'this line is indented like a list item but has no "- " in front: indent it like the lines of the item above it, or start a new item with "- "',
    );
  if (code === 'BAD_INDENT')
    return plain(
      'this line is not indented like the lines above it: the keys of one map start in the same column (indent with spaces, two per level)',
    );
  if (code === 'BLOCK_AS_IMPLICIT_KEY' || code === 'MULTILINE_IMPLICIT_KEY')
    return plain(
      'a value is followed by a more indented line: if the next line is another key of the same map, indent it like this one; if it belongs to this key, put nothing after the colon',
    );
  return plain(firstLine);
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
