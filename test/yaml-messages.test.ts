import { describe, expect, it } from 'vitest';
import { loadText } from '../src/load/index.js';
import { formatDiagnostic } from '../src/model/types.js';

// Issue 13: 'YAML parser jargon ("All mapping items must start at the same column") reaches the user seven
// times for one mistake'; '"duplicate key" does not name the key'. One mistake, one message in plain words.

const errorsOf = (text: string) => loadText('op.yaml', text).diagnostics.map(formatDiagnostic);
const OPERATOR = (spec: string) => `apiVersion: ixaudit/v1\nkind: Operator\nmetadata:\n  id: jp-x\nspec:\n${spec}`;

describe('YAML syntax errors a user can act on', () => {
  it('a key indented one column less: one message at that line, in plain words, counting the follow-on errors', () => {
    const errors = errorsOf(OPERATOR('  country: JP\n networks: [gsm]\n  name: x\n  id: y\n'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^op\.yaml:7:1: YAML syntax error: this line is not indented like the lines above it: the keys of one map start in the same column/,
    );
    expect(errors[0]).toMatch(/\(\d further syntax error\(s\) in this document, most likely caused by this one/);
    expect(errors[0]).not.toContain('All mapping items');
  });

  it('a key indented one column more, a tab, an unclosed quote, an unclosed list', () => {
    expect(errorsOf(OPERATOR('  country: JP\n   networks: [gsm]\n'))).toEqual([
      expect.stringMatching(/^op\.yaml:6:12: YAML syntax error: a value is followed by a more indented line/),
    ]);
    expect(errorsOf(OPERATOR('\tcountry: JP\n'))).toEqual([
      expect.stringContaining('a tab indents this line: YAML indents with spaces only'),
    ]);
    expect(errorsOf(OPERATOR('  name: "unclosed\n  country: JP\n'))).toEqual([
      expect.stringContaining('a quoted text is not closed'),
    ]);
    expect(errorsOf(OPERATOR('  networks: [gsm\n  country: JP\n'))).toEqual([
      expect.stringContaining('a [list] or {map} opened before this line is not closed'),
    ]);
  });

  it('a duplicate key is named, with the line of its first use', () => {
    expect(errorsOf(OPERATOR('  country: JP\n  networks: [gsm]\n  country: KR\n'))).toEqual([
      'op.yaml:8:3: duplicate key "country": each key may appear only once in a map (first at line 6)',
    ]);
  });
});
