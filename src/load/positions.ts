import type { DocPath, PositionLookup, SourcePos } from '../model/types.js';

/** Encodes a document path as a map key (\u0001 cannot occur in YAML keys we accept). */
export function pathKey(path: DocPath): string {
  return path.join('\u0001');
}

export interface PositionData {
  file: string;
  fallback: SourcePos;
  values: Map<string, number>;
  keys: Map<string, number>;
}

/**
 * Source positions for one document, keyed by path. Values and keys are recorded separately because
 * "wrong type" points at the value while "unknown field" points at the key.
 */
export class PositionIndex implements PositionLookup {
  // Positions are packed as line * 2^20 + column: one number per node keeps large tables small.
  private readonly values = new Map<string, number>();
  private readonly keys = new Map<string, number>();

  constructor(
    private readonly file: string,
    /** Where the document starts: the answer when nothing closer is known. */
    private readonly fallback: SourcePos,
  ) {}

  /** Plain data for another thread (structured clone keeps Maps but not classes). */
  exportData(): PositionData {
    return { file: this.file, fallback: this.fallback, values: this.values, keys: this.keys };
  }

  static fromData(data: PositionData): PositionIndex {
    const index = new PositionIndex(data.file, data.fallback);
    for (const [k, v] of data.values) index.values.set(k, v);
    for (const [k, v] of data.keys) index.keys.set(k, v);
    return index;
  }

  setValue(path: DocPath, line: number, column: number): void {
    this.values.set(pathKey(path), pack(line, column));
  }

  setKey(path: DocPath, line: number, column: number): void {
    this.keys.set(pathKey(path), pack(line, column));
  }

  locate(path: DocPath): SourcePos {
    return this.find(this.values, path);
  }

  locateKey(path: DocPath): SourcePos {
    const key = this.keys.get(pathKey(path));
    return key === undefined ? this.locate(path) : this.unpack(key);
  }

  private find(map: Map<string, number>, path: DocPath): SourcePos {
    for (let length = path.length; length >= 0; length--) {
      const hit = map.get(pathKey(path.slice(0, length)));
      if (hit !== undefined) return this.unpack(hit);
    }
    return this.fallback;
  }

  private unpack(packed: number): SourcePos {
    return { file: this.file, line: Math.floor(packed / 2 ** 20), column: packed % 2 ** 20 };
  }
}

function pack(line: number, column: number): number {
  return line * 2 ** 20 + Math.min(column, 2 ** 20 - 1);
}
