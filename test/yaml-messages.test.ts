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

describe('schema messages say how to fix the value', () => {
  // From a newcomer's first submission: "(quote them)" said of text that was already quoted, or came
  // from a CSV cell; `transit: [{carrier: cmi}]` and `incorporatedIn: no` told nothing of the fix.
  const errors = (name: string, text: string) => loadText(name, text).diagnostics.map(formatDiagnostic);
  const CARRIER = (spec: string) =>
    `apiVersion: ixaudit/v1\nkind: Carrier\nmetadata: {id: c1, name: C}\nspec:\n  roles: [ipx]\n${spec}`;
  const ROUTE = (route: string) =>
    `apiVersion: ixaudit/v1\nkind: RoutingTable\nmetadata: {id: rt, operator: op}\nspec:\n  protocol: ss7\n  routes:\n    - {id: r-1, match: {gtPrefix: "49"}, destination: {country: DE}, primary: {carrier: c1}, status: active, ${route}}\n`;

  it('"(quote them)" only for bare digits, which YAML makes a number', () => {
    const [text, digits] = errors(
      'c.yaml',
      CARRIER('  incorporatedIn: NO\n  identifiers: {gtPrefixes: ["86x", 8613]}\n'),
    );
    expect(text).toBe('c.yaml:7:30: spec.identifiers.gtPrefixes[0]: expected E.164 digits, found the text "86x"');
    expect(digits).toBe(
      'c.yaml:7:37: spec.identifiers.gtPrefixes[1]: expected E.164 digits (quote them), found a number 8613',
    );
    const csv = errors(
      'rt.csv',
      'apiVersion: ixaudit/v1\nkind: RoutingTable\nmetadata: {id: rt, operator: op}\nspec: {protocol: ss7}\n---\nid,match.gtPrefix,destination.country,primary,status\nr-1,86x,CN,c1,active\n',
    );
    expect(csv[0]).toMatch(
      /^rt\.csv:7:5: spec\.routes\[0\]\.match\.gtPrefix: expected E\.164 digits, found the text "86x" \(/,
    );
  });

  it('a code in small letters is offered in capitals', () => {
    expect(errors('c.yaml', CARRIER('  incorporatedIn: no\n  identifiers: {tadig: [swenk]}\n'))).toEqual([
      'c.yaml:6:19: spec.incorporatedIn: expected an ISO 3166-1 alpha-2 country code such as JP, found the text "no" (did you mean "NO"?)',
      'c.yaml:7:25: spec.identifiers.tadig[0]: expected a 5-character TADIG code such as HKGMC, found the text "swenk" (did you mean "SWENK"?)',
    ]);
  });

  it('a one-field map where an id belongs is told to write the id alone', () => {
    expect(errors('rt.yaml', ROUTE('transit: [{carrier: cmi}]'))[0]).toMatch(
      /spec\.routes\[0\]\.transit\[0\]: expected an id .*, found a map \(write cmi alone, without "carrier:"\)/,
    );
  });

  it('no unwrap hint where the value inside would still be wrong', () => {
    // Found by review: `transit: {carrier: cmi}` was told to write cmi alone, where a list belongs, and
    // `trafficShare: {percent: high}` to write text where a number belongs.
    const [transit] = errors('rt.yaml', ROUTE('transit: {carrier: cmi}'));
    expect(transit).toMatch(/spec\.routes\[0\]\.transit: expected a list, found a map/);
    expect(transit).not.toContain('alone');
    const [share] = errors('rt.yaml', ROUTE('trafficShare: {percent: high}'));
    expect(share).toMatch(/spec\.routes\[0\]\.trafficShare: expected .*, found a map/);
    expect(share).not.toContain('alone');
    expect(errors('rt.yaml', ROUTE('trafficShare: {percent: 0.5}'))[0]).toContain(
      '(write 0.5 alone, without "percent:")',
    );
  });

  it('hints clip a long value as the message does', () => {
    // Found by review: the hints echoed whole values, a 5,319-character line for one long id.
    const long = `c${'x'.repeat(5_000)}`;
    for (const message of [
      errors('rt.yaml', ROUTE('firewall: fw').replace('primary: {carrier: c1}', `primary: ${long}`))[0]!,
      errors('rt.yaml', ROUTE(`transit: [{carrier: ${long}}]`))[0]!,
      errors('c.yaml', CARRIER(`  incorporatedIn: ${'n'.repeat(3_000)}\n`))[0]!,
    ]) {
      expect(message.length).toBeLessThan(400);
      expect(message).toMatch(/(xxx|nnn)\.\.\./);
    }
  });
});
