import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseLargeYaml, piecewiseParse } from '../src/load/large.js';
import { DEFAULT_YAML_LIMITS } from '../src/load/limits.js';
import { carriedByJson, MAX_SENT_DEPTH, parseHelper, parsePiece, parsePieces } from '../src/load/parse-helper.js';
import { tempFiles } from './support/files.js';
import { REGULATOR_OPTIONS, run } from './support/run.js';

// Issue 15: 1,000,000 routes in ≤ 60 s. js-yaml is most of loading a national table and ran on one core
// while the other stood idle. A large table's pieces are now parsed by this thread and a helper thread
// together (src/load/parse-helper.ts; the helper is the compiled dist/load/parse-worker.js, which
// `npm test` compiles first). Whatever the helper does, the values must be exactly this thread's own.

const plain = { ...parseHelper };
const per = piecewiseParse.itemsPerPiece;

beforeEach(() => {
  // Every table here has a few pieces: let the helper take them, and take the first before this thread
  // starts (on tables this small this thread would otherwise take every piece before the helper woke).
  piecewiseParse.itemsPerPiece = 2;
  parseHelper.minPieces = 1;
  parseHelper.helperFirst = true;
});
afterEach(() => {
  const { started, helped, declined } = parseHelper;
  Object.assign(parseHelper, { ...plain, started, helped, declined });
  piecewiseParse.itemsPerPiece = per;
});

/** Each document's value and every diagnostic of one parse, on `threads` threads. */
function parsed(text: string, threads: number) {
  const result = parseLargeYaml('t.yaml', text, DEFAULT_YAML_LIMITS, {}, threads);
  return { values: result.documents.map((d) => d.value), diagnostics: result.diagnostics };
}

/**
 * This thread's parse made slow (100 ms a piece, noting each piece it parsed in `here`), so that the
 * helper, once started, takes pieces from the back whatever the machine's load.
 */
const slowParse = (texts: readonly string[], here: Set<number>) => (text: string) => {
  const until = Date.now() + 100;
  while (Date.now() < until);
  here.add(texts.indexOf(text));
  return parsePiece(text);
};

const table = (items: string[]) =>
  ['kind: RoutingTable', 'metadata: {id: t}', 'spec:', '  routes:', ...items.map((i) => `    - ${i}`), ''].join('\n');

/** Values JSON carries as they are and values it does not (-0, infinities, NaN, a `__proto__` key). */
const value = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/),
  fc.constantFrom('"450-05"', "'it''s'", '"\\u00e9t\\u00e9"', '"\\ud800"', '~', 'true', '0.0005', '-1', '0x1F'),
  fc.constantFrom('-0', '-0.0', '-0e0', '.inf', '-.inf', '.nan', '1e400', '{__proto__: x}', '[1, -0]'),
);
const item = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), value, value)
  .map(([id, a, b]) => `{id: ${id}, primary: {carrier: ${a}}, share: ${b}}`);

describe('a large table parsed on two threads', () => {
  it('gives exactly what one thread gives, whatever the values (JSON loses -0, infinities, NaN)', () => {
    const { helped, declined } = parseHelper;
    fc.assert(
      fc.property(fc.array(item, { minLength: 0, maxLength: 12 }), (items) => {
        const text = table(items);
        const one = parsed(text, 1);
        const two = parsed(text, 2);
        expect(two).toEqual(one);
        // toEqual tells -0 from 0; NaN is NaN.
        const numbers = (v: unknown): number[] =>
          JSON.parse(JSON.stringify(v, (_k, x) => (Object.is(x, -0) ? '-0' : x)));
        expect(numbers(two.values)).toEqual(numbers(one.values));
      }),
      { numRuns: 200 },
    );
    // The helper took pieces: sent as JSON, or (those JSON would change) left to this thread.
    expect(parseHelper.helped).toBeGreaterThan(helped);
    expect(parseHelper.declined).toBeGreaterThan(declined);
  });

  it('shares the pieces: the helper takes them from the back while this thread takes them from the front', () => {
    const texts = Array.from({ length: 12 }, (_, i) => `- {id: r${i}, share: 0.${i + 1}}\n`);
    const here = new Set<number>();
    const helped = parseHelper.helped;
    const values = parsePieces(texts, slowParse(texts, here), 2);
    expect(values).toEqual(texts.map(parsePiece));
    const fromHelper = parseHelper.helped - helped;
    expect(fromHelper).toBeGreaterThan(0);
    // This thread parsed a run from the front, the helper the rest from the back: each piece once.
    expect([...here]).toEqual(Array.from({ length: 12 - fromHelper }, (_, i) => i));
  });

  it('keeps -0, infinities, NaN and a __proto__ key as this thread parses them', () => {
    const texts = Array.from({ length: 12 }, (_, i) => `- {id: r${i}, share: 0.5}\n`);
    texts[11] = '- {id: r11, share: -0.0}\n';
    texts[10] = '- {id: r10, share: .inf}\n';
    texts[9] = '- {id: r9, share: .nan, __proto__: {polluted: yes}}\n';
    const here = new Set<number>();
    const declined = parseHelper.declined;
    const values = parsePieces(texts, slowParse(texts, here), 2) as Array<Array<Record<string, unknown>>>;
    // The helper takes the back pieces first, and leaves these three to this thread.
    expect(parseHelper.declined - declined).toBe(3);
    expect(here.size).toBeLessThan(12);
    for (const k of [9, 10, 11]) expect(here.has(k), `piece ${k}`).toBe(true);
    expect(Object.is(values[11][0].share, -0)).toBe(true);
    expect(values[10][0].share).toBe(Number.POSITIVE_INFINITY);
    expect(values[9][0].share).toBeNaN();
    expect(Object.hasOwn(values[9][0], '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(values).toEqual(texts.map(parsePiece));
    expect(values.slice(0, 9).every(carriedByJson)).toBe(true);
  });

  it('leaves a deeply nested piece to this thread, which rejects it as it would alone', () => {
    // A worker's stack is 4 MB, this thread's ~1 MB: the helper parsed a 5,000-deep flow sequence that
    // this thread cannot, and a table --jobs 1 refused as "nesting too deep" was audited by default.
    const deep = `- {id: r11, annotations: {x: ${'['.repeat(5000)}${']'.repeat(5000)}}}\n`;
    expect(() => parsePiece(deep)).toThrow(RangeError); // in this thread
    const texts = Array.from({ length: 12 }, (_, i) => `- {id: r${i}}\n`);
    texts[11] = deep;
    const here = new Set<number>();
    const declined = parseHelper.declined;
    expect(() => parsePieces(texts, slowParse(texts, here), 2)).toThrow(RangeError);
    // The helper took it first, and left it here.
    expect(parseHelper.declined - declined).toBe(1);
    expect(here.has(11)).toBe(true);
    // What the helper sends at most: MAX_SENT_DEPTH levels.
    const nested = (depth: number): unknown => (depth === 0 ? 'x' : [nested(depth - 1)]);
    expect(carriedByJson(nested(MAX_SENT_DEPTH))).toBe(true);
    expect(carriedByJson(nested(MAX_SENT_DEPTH + 1))).toBe(false);
  });

  it('reports a syntax error where one parse does, with the helper taking pieces', () => {
    const items = Array.from({ length: 9 }, (_, i) => `{id: r${i}}`);
    items[8] = '{id: [r8}';
    const text = table(items);
    const declined = parseHelper.declined;
    expect(parsed(text, 2)).toEqual(parsed(text, 1));
    // The broken piece is the last: the helper took it first and left it to this thread.
    expect(parseHelper.declined).toBeGreaterThan(declined);
    expect(parsed(text, 2).diagnostics).toEqual([expect.objectContaining({ code: 'yaml-syntax', line: 13 })]);
  });

  it('parses the pieces here when the helper goes quiet, and starts no other', () => {
    // The last piece is large (8 MB, about a second for js-yaml): the helper takes it first and is still
    // on it when this thread, done with the small ones in a millisecond, waits with no patience at all.
    const texts = Array.from({ length: 6 }, (_, i) => `- {id: r${i}}\n`);
    texts[5] = '- {id: r5, carrier: c}\n'.repeat(350_000);
    const here = new Set<number>();
    const parseNoting = (text: string) => {
      here.add(texts.indexOf(text));
      return parsePiece(text);
    };
    parseHelper.stallMs = 0;
    const values = parsePieces(texts, parseNoting, 2);
    expect(parseHelper.broken).toBe(true);
    expect(here.has(5)).toBe(true);
    expect(values.slice(0, 5)).toEqual(texts.slice(0, 5).map(parsePiece));
    const large = values[5] as unknown[];
    expect([large.length, large[0], large[349_999]]).toEqual([
      350_000,
      { id: 'r5', carrier: 'c' },
      { id: 'r5', carrier: 'c' },
    ]);
    const started = parseHelper.started;
    expect(parsePieces(texts.slice(0, 5), parsePiece, 2)).toEqual(texts.slice(0, 5).map(parsePiece));
    expect(parseHelper.started).toBe(started);
  });

  it('counts items parsed as each piece arrives, from either end, up to the total', () => {
    const text = table(Array.from({ length: 11 }, (_, i) => `{id: r${i}}`));
    const heard: number[] = [];
    parseLargeYaml('t.yaml', text, DEFAULT_YAML_LIMITS, { onItems: (done) => heard.push(done) }, 2);
    expect(heard[0]).toBe(0);
    expect(heard.at(-1)).toBe(11);
    expect(heard).toEqual([...heard].sort((a, b) => a - b));
    expect(heard).toHaveLength(1 + Math.ceil(11 / 2));
  });
});

describe('ixaudit audit and the helper thread', () => {
  // Every sample file on the large-file path, a piece of two routes each: their tables have 8–10 routes.
  const args = (out: string, ...more: string[]) => [
    'audit',
    'inputs',
    ...REGULATOR_OPTIONS,
    '--out',
    out,
    '--format',
    'json',
    '--date',
    '2026-07-01',
    '--quiet',
    '--limit',
    'largeFileBytes=1',
    ...more,
  ];

  it('--jobs 1 parses in this thread alone; --jobs 2 lets a helper take pieces, and findings.json is the same', async () => {
    // (--jobs 2, not the default: a one-core machine's default is one thread.)
    const alone = tempFiles({});
    const started = parseHelper.started;
    expect((await run(...args(alone, '--jobs', '1'))).code).toBe(1);
    expect(parseHelper.started).toBe(started);
    const beside = tempFiles({});
    const helped = parseHelper.helped;
    expect((await run(...args(beside, '--jobs', '2'))).code).toBe(1);
    expect(parseHelper.started).toBeGreaterThan(started);
    expect(parseHelper.helped).toBeGreaterThan(helped);
    const findings = (dir: string) => readFileSync(join(dir, 'findings.json'), 'utf8');
    expect(findings(beside)).toBe(findings(alone));
  });
});
