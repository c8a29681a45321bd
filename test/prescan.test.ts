import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { Document, parse, parseDocument, type ToStringOptions, visit } from 'yaml';
import { DEFAULT_YAML_LIMITS, type YamlLimits } from '../src/load/limits.js';
import { prescan } from '../src/load/yaml.js';

// prescan refuses nesting too deep before a parser sees the text. It must count only what a parser
// nests: a `[` in a plain, quoted or block scalar or a comment is text. Found by attacking it (each case
// below): it refused documents both parsers read at depth 1 or 2, and missed 70 levels behind `?'x`.

const limitsOf = (maxDepth: number): YamlLimits => ({ ...DEFAULT_YAML_LIMITS, maxDepth });
const refuses = (text: string, maxDepth = 64) => prescan('t.yaml', text, limitsOf(maxDepth));
const times = (line: string, n = 70) => Array.from({ length: n }, (_, i) => line.replaceAll('$', String(i))).join('\n');

/** How deep the parsed value nests (a scalar 0, a list or map 1 more than its deepest member). */
const depthOf = (v: unknown): number =>
  v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0;

describe('prescan', () => {
  it.each([
    ['a plain scalar ending in [', `notes:\n${times('  n$: see x[$')}`],
    ['an escaped double quote', times('k$: "say \\"[\\" now"')],
    ['a doubled single quote', times("k$: 'operator''s core [legacy'")],
    ['an apostrophe inside a plain scalar', times("k$: Carrier's hub [x")],
    ['a tag before a quote', times('k$: !!str "[x"')],
    ['an anchor before a quote', times('k$: &a$ "[x"')],
    ['a quoted scalar over two lines', times('k$: "first\n  [second"')],
    ['a literal block scalar', `d: |\n${times('  line [ $')}`],
    ['a folded block scalar', `d: >-\n${times('  regex ^[0-9 $')}\ne: 1`],
    ['a top-level block scalar', `--- |\n${times('[ $')}`],
    ['a URL with #[', times('u$: http://x/p#[frag')],
    ['a comment after a tab', times('k$: 1\t# see ticket [INC-$')],
    ['an explicit key', times('? k$ [x\n: v')],
    ['a plain scalar over two lines', times('k$: first\n  [second')],
    ['a plain scalar in a flow list over two lines', times("k$: [a\n  'b]")],
    ['negative numbers in a list', times('- -$')],
  ])('reads %s as text, as both parsers do', (_, text) => {
    expect(depthOf(parse(text))).toBeLessThanOrEqual(2);
    expect(Math.max(...jsyaml.loadAll(text).map(depthOf))).toBeLessThanOrEqual(2);
    expect(refuses(text)).toBeUndefined();
  });

  it.each([
    ["?'x", `a: [?'x, ${'['.repeat(70)}${']'.repeat(70)}]`, 1, 72],
    ["b:'x", `a: [b:'x, ${'['.repeat(70)}${']'.repeat(70)}]`, 1, 73],
    ['a quoted key', `{"a":${'['.repeat(70)}${']'.repeat(70)}}`, 1, 68],
    ['a tag', `a: !!seq ${'['.repeat(70)}${']'.repeat(70)}`, 1, 73],
    ['a flow list over lines', `a: [x,\n  ${'['.repeat(70)}${']'.repeat(71)}`, 2, 65],
  ])('counts the nesting behind %s', (_, text, line, column) => {
    expect(depthOf(parseDocument(text).toJS())).toBeGreaterThan(64);
    expect(refuses(text)).toMatchObject({ line, column, code: 'yaml-limit' });
  });

  it('measures block lines inside an unclosed flow list too', () => {
    // The `yaml` parser closes a flow list that the next line is not indented for and reads on in block
    // context; the block levels of a line used to be counted only outside flow collections.
    expect(refuses(`a: [\n${'- '.repeat(70)}x`)).toMatchObject({ line: 2, column: 141, code: 'yaml-limit' });
  });

  it('counts the dashes of a "- - -" prefix as levels, not the minus of a number', () => {
    expect(refuses('- - x', 3)).toBeUndefined();
    expect(refuses('- - - x', 3)).toMatchObject({ line: 1, column: 7, code: 'yaml-limit' });
    expect(refuses('- - -1', 3)).toBeUndefined();
  });

  // Documents written by the yaml library in every style it has (flow levels, quoting, block scalars,
  // folded lines), with text full of the characters the scan acts on: the estimate stays within a factor
  // of two of the real depth either way (a compact "- key:" is one line for two levels).
  const char = fc.constantFrom(...'ab [ ] { } \' " # : - ? ! & * | > , \t \\ %'.split(' '), ' ');
  const text = fc.array(char, { maxLength: 12 }).map((cs) => cs.join(''));
  const { tree } = fc.letrec((tie) => ({
    tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, text, fc.integer(), tie('list'), tie('map')),
    list: fc.array(tie('tree'), { maxLength: 3 }),
    map: fc.dictionary(text, tie('tree'), { maxKeys: 3 }),
  }));
  const style = fc.record({
    lineWidth: fc.constantFrom(0, 8, 20, 80),
    minContentWidth: fc.constantFrom(0, 4, 20),
    defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'),
    defaultKeyType: fc.constantFrom(null, 'PLAIN', 'QUOTE_SINGLE'),
    indent: fc.integer({ min: 1, max: 4 }),
    indentSeq: fc.boolean(),
    flowCollectionPadding: fc.boolean(),
  } as const);

  /** The document written with the collections that `flow` marks (in visiting order) as flow ones. */
  const written = (value: unknown, flow: boolean[], options: ToStringOptions): string => {
    const doc = new Document(value);
    let n = 0;
    visit(doc, {
      Collection: (_, node) => {
        node.flow = flow[n++ % flow.length] ?? false;
      },
    });
    return doc.toString(options);
  };

  it('estimates the depth of any document within a factor of two', () => {
    fc.assert(
      fc.property(tree, fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), style, (value, flow, options) => {
        const yaml = written(value, flow, options);
        let back: unknown;
        try {
          back = parse(yaml);
        } catch {
          return; // the library cannot always read what it wrote (a quoted key folded over lines)
        }
        fc.pre(JSON.stringify(back) === JSON.stringify(value));
        const depth = depthOf(value);
        expect(refuses(yaml, 2 * depth + 3)).toBeUndefined();
        if (depth >= 2) expect(refuses(yaml, Math.ceil(depth / 2) - 1)).toBeDefined();
      }),
      { numRuns: 1_500 },
    );
  });

  // The performance device: lines with none of `" ' # [ {` are not scanned character by character.
  const arbLine = fc
    .tuple(
      fc.array(fc.constantFrom(' ', ' ', '-', '- ', '\t'), { maxLength: 8 }),
      fc.array(fc.constantFrom(...'a|b: |#|[|]|{|}|"|\'|\r| |-|x|,|:|?|\t|!|&|\\|>|---|...'.split('|')), {
        maxLength: 10,
      }),
    )
    .map(([prefix, rest]) => prefix.join('') + rest.join(''));

  it('refuses the same texts at the same place with lines skipped or all scanned', () => {
    fc.assert(
      fc.property(fc.array(arbLine, { maxLength: 30 }), fc.integer({ min: 1, max: 8 }), (lines, maxDepth) => {
        const yaml = lines.join('\n');
        expect(prescan('t.yaml', yaml, limitsOf(maxDepth))).toEqual(
          prescan('t.yaml', yaml, limitsOf(maxDepth), undefined, { skipPlainLines: false }),
        );
      }),
      { numRuns: 2_000 },
    );
  });
});
