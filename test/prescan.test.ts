import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../src/model/types.js';
import { DEFAULT_YAML_LIMITS, type YamlLimits } from '../src/load/limits.js';
import { prescan } from '../src/load/yaml.js';

// prescan counts each line's leading dashes by char code instead of slicing and splitting the prefix
// (2.4 s of loading a million routes, and ten million short-lived strings). It must refuse exactly what
// the plain version refused, at the same line and column, for any text and limits. Since large files get
// the flow-bracket check too, the reference is the plain version with that check for files of every size,
// and with a quote taken as one only where a scalar can start (after the line's prefix, `[`, `{`, `,`, `:`
// or `?`, and spaces).

/** The plain version, as prescan was written before (with flow brackets scanned at every size): the reference. */
function plainPrescan(file: string, text: string, limits: YamlLimits): Diagnostic | undefined {
  const indents: number[] = [];
  let flowDepth = 0;
  let line = 1;
  let lineStart = 0;
  const deep = (column: number): Diagnostic => ({
    file,
    line,
    column,
    code: 'yaml-limit',
    message: `nesting deeper than ${limits.maxDepth} levels (limit maxDepth; raise it with --limit maxDepth=N)`,
  });
  while (lineStart <= text.length) {
    let end = text.indexOf('\n', lineStart);
    if (end < 0) end = text.length;
    if (end - lineStart > limits.maxLineBytes) {
      return {
        file,
        line,
        column: 1,
        code: 'yaml-limit',
        message: `line is ${end - lineStart} characters long, more than the limit of ${limits.maxLineBytes} (limit maxLineBytes; raise it with --limit maxLineBytes=N)`,
      };
    }
    let i = lineStart;
    while (i < end && (text[i] === ' ' || text[i] === '-' || text[i] === '\t')) i++;
    const content = text[i];
    if (i < end && content !== '#' && content !== '\r' && flowDepth === 0) {
      const indent = i - lineStart;
      while (indents.length > 0 && indents[indents.length - 1] >= indent) indents.pop();
      indents.push(indent);
      const dashes = text.slice(lineStart, i).split('-').length - 1;
      if (indents.length + dashes > limits.maxDepth) return deep(i - lineStart + 1);
    }
    let quote = '';
    for (let k = i; k < end; k++) {
      const c = text[k];
      if (quote) {
        if (c === quote) quote = '';
      } else if ((c === '"' || c === "'") && /(?:^|[[{,:?])[ \t]*$/.test(text.slice(i, k))) quote = c;
      else if (c === '#' && (k === lineStart || text[k - 1] === ' ')) break;
      else if (c === '[' || c === '{') {
        if (++flowDepth + indents.length > limits.maxDepth) return deep(k - lineStart + 1);
      } else if ((c === ']' || c === '}') && flowDepth > 0) flowDepth--;
    }
    line++;
    lineStart = end + 1;
  }
  return undefined;
}

const arbLine = fc
  .tuple(
    fc.array(fc.constantFrom(' ', ' ', '-', '\t'), { maxLength: 12 }),
    fc.array(fc.constantFrom('a', 'b: ', '#', '[', ']', '{', '}', '"', "'", '\r', ' ', '-', 'x', ',', ':', '?', '\t'), {
      maxLength: 10,
    }),
  )
  .map(([prefix, rest]) => prefix.join('') + rest.join(''));

describe('prescan', () => {
  it('refuses exactly what the plain version refuses, at the same place', () => {
    fc.assert(
      fc.property(
        fc.array(arbLine, { maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 4, max: 40 }),
        fc.boolean(),
        (lines, maxDepth, maxLineBytes, large) => {
          const text = lines.join('\n');
          const limits = { ...DEFAULT_YAML_LIMITS, maxDepth, maxLineBytes, largeFileBytes: large ? 1 : 1 << 30 };
          expect(prescan('t.yaml', text, limits)).toEqual(plainPrescan('t.yaml', text, limits));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('counts the dashes of a "- - -" prefix as levels', () => {
    const limits = { ...DEFAULT_YAML_LIMITS, maxDepth: 3 };
    expect(prescan('t.yaml', '- - x', limits)).toBeUndefined();
    expect(prescan('t.yaml', '- - - x', limits)).toMatchObject({ line: 1, column: 7, code: 'yaml-limit' });
  });
});
