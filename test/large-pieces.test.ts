import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { declaresAnchor, hasDirective, parseLargeYaml, piecewiseParse } from '../src/load/large.js';
import { DEFAULT_YAML_LIMITS } from '../src/load/limits.js';
import { parseHelper } from '../src/load/parse-helper.js';

const minPieces = parseHelper.minPieces;

// Issue 15: "a terminal that never goes quiet for more than 2 seconds (loading, …)". js-yaml parsed a
// 275 MB table in one call of ~25 s. The routes are now parsed a piece at a time (piecewiseParse), which
// must give exactly what one parse gives — or, whenever it cannot, the document is parsed whole.

const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const scalar = fc.oneof(
  word,
  word.map((w) => `"${w}"`),
  fc.constantFrom('"a, b"', "'it''s'", '0.5', '"450-05"', 'x y', '"- not an item"', "'routes:'", '~', 'true'),
);

/** One route item, written in one of the ways a YAML export may write it, at `indent`. */
const item = (indent: string) =>
  fc
    .tuple(word, scalar, scalar, fc.constantFrom('block', 'flow', 'comment', 'literal', 'nested', 'blank'))
    .map(([id, a, b, style]) => {
      const dash = `${indent}- `;
      const more = `${indent}  `;
      switch (style) {
        case 'flow':
          return [`${dash}{id: ${id}, primary: {carrier: ${a}}}`];
        case 'comment':
          return [`${dash}id: ${id}  # the route`, `${indent}# between items`, `${more}note: ${a}`];
        case 'literal':
          return [`${dash}id: ${id}`, `${more}notes: |`, `${more}  - looks like an item`, `${more}  routes`];
        case 'nested':
          return [`${dash}id: ${id}`, `${more}transit:`, `${more}- ${a}`, `${more}- ${b}`];
        case 'blank':
          return [`${dash}id: ${id}`, '', `${more}note: ${b}`];
        default:
          return [`${dash}id: ${id}`, `${more}primary: {carrier: ${a}}`, `${more}note: ${b}`];
      }
    });

/** A routing table document: its routes at `indent` (the margin, or under `routes:`), maybe keys after them. */
const table = fc
  .tuple(fc.constantFrom('', '  ', '    ', '      '), fc.boolean(), fc.boolean())
  .chain(([indent, keyAfter, topAfter]) =>
    fc
      .array(item(indent), { minLength: 0, maxLength: 9 })
      .map((items) =>
        [
          'apiVersion: ixaudit/v1',
          'kind: RoutingTable',
          'metadata: {id: t, operator: o, name: a name longer than thirteen}',
          'spec:',
          '  protocol: ss7',
          '  routes:',
          ...items.flat(),
          ...(keyAfter ? ['  source: after the routes'] : []),
          ...(topAfter ? ['extra: {at: the end}'] : []),
          '',
        ].join('\n'),
      ),
  );

/** What a parse gives: each document's value and every diagnostic (on two threads: see parse-helper.ts). */
function parsed(text: string, pieces: boolean, threads = 1) {
  piecewiseParse.enabled = pieces;
  const result = parseLargeYaml('t.yaml', text, DEFAULT_YAML_LIMITS, {}, threads);
  return { values: result.documents.map((d) => d.value), diagnostics: result.diagnostics };
}

describe('a large table parsed in pieces', () => {
  const per = piecewiseParse.itemsPerPiece;
  afterEach(() => {
    piecewiseParse.enabled = true;
    piecewiseParse.itemsPerPiece = per;
    parseHelper.minPieces = minPieces;
    parseHelper.helperFirst = false;
  });

  it('gives what one parse gives, whatever the items look like', () => {
    piecewiseParse.itemsPerPiece = 2;
    const helped = parseHelper.helped;
    fc.assert(
      fc.property(table, (text) => {
        const whole = parsed(text, false);
        expect(parsed(text, true)).toEqual(whole);
        // The same with a helper thread taking pieces from the back, starting before this thread does.
        Object.assign(parseHelper, { minPieces: 1, helperFirst: true });
        expect(parsed(text, true, 2)).toEqual(whole);
        Object.assign(parseHelper, { minPieces, helperFirst: false });
        // Tables whose items are at least as indented as `routes:` are well-formed: beyond one piece,
        // the pieces are what is parsed. At the margin one parse fails, and the pieces are not used.
        let pieces = 0;
        piecewiseParse.enabled = true;
        parseLargeYaml('t.yaml', text, DEFAULT_YAML_LIMITS, { onItems: () => pieces++ });
        const items = text.split('\n').filter((l) => /^ *- id: /.test(l) || /^ *- \{id: /.test(l));
        const wellFormed = items.every((l) => l.startsWith('  '));
        // (the first call names the step: 0 of them parsed)
        expect(pieces).toBe(wellFormed && items.length > 2 ? Math.ceil(items.length / 2) + 1 : 0);
      }),
      { numRuns: 400 },
    );
    // Pieces of these tables came from the helper thread, as JSON.
    expect(parseHelper.helped).toBeGreaterThan(helped);
  });

  it('says how far it is, piece by piece', () => {
    piecewiseParse.itemsPerPiece = 2;
    const text = `spec:\n  routes:\n${Array.from({ length: 5 }, (_, i) => `    - id: r${i}`).join('\n')}\n`;
    const heard: Array<[number, number]> = [];
    const result = parseLargeYaml('t.yaml', text, DEFAULT_YAML_LIMITS, {
      onItems: (done, total) => heard.push([done, total]),
    });
    // Named before the head and the first piece are parsed, then piece by piece.
    expect(heard).toEqual([
      [0, 5],
      [2, 5],
      [4, 5],
      [5, 5],
    ]);
    expect((result.documents[0].value as { spec: { routes: unknown[] } }).spec.routes).toHaveLength(5);
  });

  it('falls back to one parse for what pieces cannot give: errors, anchors, directives, another routes key', () => {
    piecewiseParse.itemsPerPiece = 1;
    const routes = (lines: string[]) => `spec:\n  routes:\n${lines.map((l) => `    ${l}`).join('\n')}\n`;
    const cases = [
      // A syntax error in the third item: the whole parse's line and column.
      routes(['- id: a', '- id: b', '- id: [c', '- id: d']),
      // An alias to an earlier item: the large path refuses aliases, at the alias.
      routes(['- &first {id: a}', '- id: b', '- *first']),
      // Two `routes:` lines: the pieces cannot tell which is spec.routes.
      `metadata:\n  routes:\n  - x\nspec:\n  routes:\n  - id: a\n  - id: b\n`,
      // A duplicated key inside one item.
      routes(['- id: a', '- id: b', '  id: c']),
      // Items less indented than `routes:`: not its value; one parse fails there, and so must this.
      'spec:\n  routes:\n- id: a\n- id: b\n- id: c\n',
      // The `routes:` line found is not spec.routes' key (found by a review that attacked the pieces).
      'spec: {routes: }\nroutes:\n- a\n- b\n',
      'spec:\n  "routes":\nx:\n  routes:\n  - a\n  - b\n',
      'spec:\n  routes :\n  note: |\n    routes:\n    - a\n    - b\n',
      'spec: {routes: }\nroutes:\n- a\n--- [b]\n',
      'spec:\n  routes :\nx:\n  # c\u2028  routes:\n  - a\n  - b\n',
      // An anchor redefined in an item and aliased after the routes.
      'spec:\n  a: &x 1\n  routes:\n  - &x 2\n  - 3\n  b: *x\n',
      'spec:\n  a: &x {k: 1}\n  routes:\n  - &x 2\n  - 3\n  b: *x\n',
      // A %TAG directive applies to the items too.
      '%TAG !! tag:example.com,2000:\n--- !<tag:yaml.org,2002:map>\nspec:\n  routes:\n  - !!int 1\n  - 2\n',
      // js-yaml runs a nested sequence with an empty entry on into the next, less indented item.
      'spec:\n  routes:\n  - -\n  - b\n',
      'spec:\n  routes:\n  - a\n  - - b\n    -\n  - c\n',
      'spec:\n  routes:\n  - k:\n    - a\n    -\n  - b\n  - c\n',
    ];
    Object.assign(parseHelper, { minPieces: 1, helperFirst: true });
    for (const text of cases) {
      const whole = parsed(text, false);
      expect(parsed(text, true), text).toEqual(whole);
      expect(parsed(text, true, 2), text).toEqual(whole);
    }
    Object.assign(parseHelper, { minPieces, helperFirst: false });
    expect(parsed(cases[0], false).diagnostics).toEqual([expect.objectContaining({ code: 'yaml-syntax', line: 6 })]);
    expect(parsed(cases[1], false).diagnostics).toEqual([expect.objectContaining({ code: 'yaml-limit' })]);
  });
});

describe('the checks that send a document to one parse', () => {
  it('find anchors and directives exactly where the regexes they replace do', () => {
    const text = fc.string({
      unit: fc.constantFrom('&', '%', 'a', ' ', '\n', '\r', '\u2028', '[', ']', '{', ',', ':', '-', '\t'),
      maxLength: 24,
    });
    fc.assert(
      fc.property(text, (source) => {
        expect(declaresAnchor(source)).toBe(/(^|[\s[{,:-])&[^\s,[\]{}]/m.test(source));
        expect(hasDirective(source)).toBe(/^%/m.test(source));
      }),
      { numRuns: 1000 },
    );
  });
});
