import type { Kind, LoadedDocument, PositionLookup } from '../model/types.js';
import { CsvPositions } from './csv.js';
import { LazyPositions } from './large.js';
import { RemappedRoutePositions } from './remap.js';
import { PositionIndex, type PositionData } from './positions.js';
import type { YamlLimits } from './yaml.js';

/** A document as it crosses to a worker thread: plain data (structured clone keeps Maps, not classes). */
export type WireDocument = { [K in Kind]: Omit<LoadedDocument<K>, 'positions'> & { positions: WirePositions } }[Kind];

type WirePositions =
  | { kind: 'index'; data: PositionData }
  | { kind: 'csv'; file: string; text: string; header: PositionData; rowStarts: number[]; columns: string[] }
  | { kind: 'lazy'; file: string; source: string; firstLine: number; limits: YamlLimits }
  | { kind: 'remap'; inner: WirePositions; kept: number[] };

export function toWire(doc: LoadedDocument): WireDocument {
  return { ...doc, positions: positionsToWire(doc.positions) };
}

export function fromWire(doc: WireDocument): LoadedDocument {
  return { ...doc, positions: positionsFromWire(doc.positions) };
}

function positionsToWire(positions: PositionLookup): WirePositions {
  if (positions instanceof RemappedRoutePositions)
    return { kind: 'remap', inner: positionsToWire(positions.inner), kept: [...positions.kept] };
  if (positions instanceof PositionIndex) return { kind: 'index', data: positions.exportData() };
  if (positions instanceof CsvPositions) {
    return {
      kind: 'csv',
      file: positions.file,
      text: positions.text,
      header: (positions.header as PositionIndex).exportData(),
      rowStarts: positions.rowStarts,
      columns: positions.columns,
    };
  }
  if (positions instanceof LazyPositions)
    return {
      kind: 'lazy',
      file: positions.file,
      source: positions.source,
      firstLine: positions.firstLine,
      limits: positions.limits,
    };
  throw new Error('ixaudit: unknown position index type');
}

function positionsFromWire(wire: WirePositions): PositionLookup {
  if (wire.kind === 'index') return PositionIndex.fromData(wire.data);
  if (wire.kind === 'remap') return new RemappedRoutePositions(positionsFromWire(wire.inner), wire.kept);
  if (wire.kind === 'csv')
    return new CsvPositions(wire.file, wire.text, PositionIndex.fromData(wire.header), wire.rowStarts, wire.columns);
  return new LazyPositions(wire.file, wire.source, wire.firstLine, wire.limits);
}
