import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastPositions, flowValueAt, isBlank, LazyPositions } from '../src/load/large.js';
import { DEFAULT_YAML_LIMITS } from '../src/load/limits.js';
import type { DocPath } from '../src/model/types.js';

// Issue 15: at 200,000 failure-heavy routes, finding the location of each failing route (primary.carrier,
// transit.1, destination.country …) by re-parsing its item was 13.5 s of the audit's 21 s. Values inside
// one-line flow collections are now read off the line; they must land exactly where the parse puts them.

const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const scalar = fc.oneof(
  word,
  word.map((w) => `"${w}"`),
  word.map((w) => `'${w}'`),
  fc.constantFrom('"a, b"', "'it''s'", '"x\\"y"', '0.5', '"450-05"', '"*.mcc240.org"', 'a:b', 'x y'),
);
const spaces = fc.constantFrom('', ' ', '  ');
const flowMap = fc
  .uniqueArray(fc.tuple(word, scalar), { minLength: 1, maxLength: 3, selector: ([key]) => key })
  .chain((pairs) => spaces.map((sp) => `{${sp}${pairs.map(([k, v]) => `${k}: ${v}`).join(`,${sp || ' '}`)}${sp}}`));
const flowSeq = fc
  .array(fc.oneof(scalar, flowMap), { minLength: 1, maxLength: 3 })
  .chain((items) => spaces.map((sp) => `[${sp}${items.join(`,${sp || ' '}`)}${sp}]`));

/** A routes table whose items have these fields, each written on one line. */
function table(items: Array<Record<string, string>>): string {
  const lines = [
    'apiVersion: ixaudit/v1',
    'kind: RoutingTable',
    'metadata: {id: t, operator: o}',
    'spec:',
    '  routes:',
  ];
  for (const fields of items) {
    const entries = Object.entries(fields);
    for (const [i, [k, v]] of entries.entries()) lines.push(`${i === 0 ? '    - ' : '      '}${k}: ${v}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Every path to a scalar inside a value as written (a flow map or sequence, or a scalar). */
function pathsIn(value: unknown, prefix: DocPath): DocPath[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...pathsIn(v, [...prefix, i])]);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...pathsIn(v, [...prefix, k])]);
  return [];
}

describe('positions inside one-line flow collections of a large table', () => {
  it('are where the parse of the item puts them, for every path', async () => {
    const jsyaml = (await import('js-yaml')).default;
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: word, primary: flowMap, transit: flowSeq, note: scalar }), {
          minLength: 1,
          maxLength: 4,
        }),
        (items) => {
          const source = table(items);
          const parsed = jsyaml.load(source) as { spec: { routes: unknown[] } };
          const fast = new LazyPositions('t.yaml', source, 1, DEFAULT_YAML_LIMITS);
          const slow = new LazyPositions('t.yaml', source, 1, DEFAULT_YAML_LIMITS);
          parsed.spec.routes.forEach((route, index) => {
            for (const inner of pathsIn(route, [])) {
              const path: DocPath = ['spec', 'routes', index, ...inner];
              fastPositions.enabled = true;
              const got = fast.locate(path);
              fastPositions.enabled = false;
              const want = slow.locate(path);
              fastPositions.enabled = true;
              expect(got, JSON.stringify(path)).toEqual(want);
            }
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('give up (-1) on what they do not read: anchors, aliases, empty values, a collection left open', () => {
    const at = (text: string, path: DocPath) => flowValueAt(text, 0, text.length, path);
    expect(at('{carrier: x}', ['carrier'])).toBe(10);
    expect(at('[a, {carrier: y}]', [1, 'carrier'])).toBe(14);
    expect(at('{carrier: *x}', ['carrier'])).toBe(-1);
    expect(at('{carrier: &a x}', ['carrier'])).toBe(-1);
    expect(at('{carrier: , b: 1}', ['carrier'])).toBe(-1);
    expect(at('[a, b', [1])).toBe(4);
    expect(at('[a, [b', [1, 0])).toBe(5);
    expect(at('{"carrier": x}', ['carrier'])).toBe(-1);
    expect(at('[a]', [3])).toBe(-1);
  });
});

describe('isBlank', () => {
  // plainField asks it instead of slicing and trimming each line's indentation (fifteen million slices
  // at a million routes): it must say what slice(from, to).trim() === '' says, ranges past the end included.
  it('agrees with slice and trim', () => {
    const unit = fc.constantFrom(
      ' ',
      '\t',
      '\r',
      '\n',
      '\u000b',
      '\u00a0',
      '\u2003',
      '\ufeff',
      '\u2028',
      'a',
      '-',
      '#',
      '電',
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 12 }), fc.nat(14), fc.nat(14), (text, from, length) => {
        expect(isBlank(text, from, from + length)).toBe(text.slice(from, from + length).trim() === '');
      }),
      { numRuns: 3000 },
    );
  });
});
