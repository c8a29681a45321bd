import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocationQueue } from '../src/engine/evaluate.js';
import type { Occurrence } from '../src/model/finding.js';
import type { DocPath, PositionLookup } from '../src/model/types.js';

// A national table queues millions of locations; they are looked up by document (in the order each was
// first queued) and by route item, so each item is re-parsed once. The counting sort that replaced a
// comparison sort (seconds at 1,000,000 routes) must look them up in exactly the stable sort's order.

describe('the location queue', () => {
  it('looks locations up by document, then route item, each in the order queued, and fills in each', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: -1, max: 6 })), { maxLength: 60 }),
        (entries) => {
          const looked: string[] = [];
          const documents = [0, 1, 2].map(
            (d): PositionLookup => ({
              locate: (path: DocPath) => {
                looked.push(`${d}:${path.join('.')}`);
                return { file: `f${d}`, line: looked.length, column: 1 };
              },
              locateKey: () => ({ file: `f${d}`, line: 0, column: 0 }),
            }),
          );
          const queue = new LocationQueue();
          const occurrences = entries.map(([d, item], n) => {
            const occurrence = { subject: `s${n}`, location: { file: '', line: 0, column: 0 }, fingerprint: '' };
            const path: DocPath = item < 0 ? ['metadata', `k${n}`] : ['spec', 'routes', item, `k${n}`];
            // Every third route entry is queued as another route's path moved to its own item (shared
            // details): it must be looked up, and ordered, as its own path would be.
            if (item >= 0 && n % 3 === 0)
              queue.add(occurrence as Occurrence, documents[d], ['spec', 'routes', item + 7, `k${n}`], item);
            else queue.push({ occurrence: occurrence as Occurrence, positions: documents[d], path });
            return { d, item, n, occurrence };
          });
          queue.resolve();
          const firstSeen = [...new Set(entries.map(([d]) => d))];
          const expected = [...occurrences]
            .sort((a, b) => firstSeen.indexOf(a.d) - firstSeen.indexOf(b.d) || a.item - b.item)
            .map(({ d, item, n }) => `${d}:${item < 0 ? `metadata.k${n}` : `spec.routes.${item}.k${n}`}`);
          expect(looked).toEqual(expected);
          for (const { d, occurrence } of occurrences) expect(occurrence.location.file).toBe(`f${d}`);
        },
      ),
      { numRuns: 300 },
    );
  });
});
