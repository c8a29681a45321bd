import type { DocPath, PositionLookup, SourcePos } from '../model/types.js';

/**
 * Positions of a routing table from which broken routes were dropped: route `i` of the loaded table is
 * route `kept[i]` of the file, so every location still points at the line the route is written on.
 */
export class RemappedRoutePositions implements PositionLookup {
  constructor(
    readonly inner: PositionLookup,
    readonly kept: readonly number[],
  ) {}

  locate(path: DocPath): SourcePos {
    return this.inner.locate(this.original(path));
  }

  locateKey(path: DocPath): SourcePos {
    return this.inner.locateKey(this.original(path));
  }

  private original(path: DocPath): DocPath {
    const index = path[2];
    if (path[0] !== 'spec' || path[1] !== 'routes' || typeof index !== 'number' || index >= this.kept.length)
      return path;
    return ['spec', 'routes', this.kept[index], ...path.slice(3)];
  }
}
