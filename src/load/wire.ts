import type { LoadedDocument, PositionLookup } from '../model/types.js';
import { LazyPositions } from './large.js';
import { PositionIndex, type PositionData } from './positions.js';
import type { YamlLimits } from './yaml.js';

/** A document as it crosses to a worker thread: plain data (structured clone keeps Maps, not classes). */
export type WireDocument = Omit<LoadedDocument, 'positions'> & { positions: WirePositions };

type WirePositions =
  | { kind: 'index'; data: PositionData }
  | { kind: 'lazy'; file: string; source: string; firstLine: number; limits: YamlLimits };

export function toWire(doc: LoadedDocument): WireDocument {
  return { ...doc, positions: positionsToWire(doc.positions) };
}

export function fromWire(doc: WireDocument): LoadedDocument {
  return { ...doc, positions: positionsFromWire(doc.positions) };
}

function positionsToWire(positions: PositionLookup): WirePositions {
  if (positions instanceof PositionIndex) return { kind: 'index', data: positions.exportData() };
  if (positions instanceof LazyPositions) return { kind: 'lazy', file: positions.file, source: positions.source, firstLine: positions.firstLine, limits: positions.limits };
  throw new Error('ixaudit: unknown position index type');
}

function positionsFromWire(wire: WirePositions): PositionLookup {
  return wire.kind === 'index' ? PositionIndex.fromData(wire.data) : new LazyPositions(wire.file, wire.source, wire.firstLine, wire.limits);
}
