import { describe, expect, it } from 'vitest';
import { loadBytes, loadText } from '../src/load/index.js';
import { formatDiagnostic } from '../src/model/types.js';
import { DEFAULT_YAML_LIMITS } from '../src/load/yaml.js';

/** Loader errors as the user sees them: exact file:line:column and message. */
function errorsOf(text: string): string[] {
  return loadText('sub.yaml', text).diagnostics.map(formatDiagnostic);
}

const OPERATOR = `apiVersion: ixaudit/v1
kind: Operator
metadata: {id: jp-test}
spec:
  country: JP
  networks: [gsm]
`;

describe('loader', () => {
  it('loads a valid document with positions for every node', () => {
    const { documents, diagnostics } = loadText('sub.yaml', OPERATOR);
    expect(diagnostics).toEqual([]);
    expect(documents).toHaveLength(1);
    const doc = documents[0];
    expect(doc.kind).toBe('Operator');
    expect(doc.id).toBe('jp-test');
    expect(doc.positions.locate(['spec', 'country'])).toEqual({ file: 'sub.yaml', line: 5, column: 12 });
    expect(doc.positions.locate(['spec', 'networks', 0])).toEqual({ file: 'sub.yaml', line: 6, column: 14 });
    // A missing field points at its closest existing parent.
    expect(doc.positions.locate(['spec', 'plmns', 3])).toEqual({ file: 'sub.yaml', line: 5, column: 3 });
  });

  it('reads several documents from one file, keeping each position', () => {
    const { documents } = loadText('multi.yaml', `${OPERATOR}---\n${OPERATOR.replace('jp-test', 'jp-two')}`);
    expect(documents.map((d) => [d.id, d.index, d.positions.locate(['metadata', 'id']).line])).toEqual([
      ['jp-test', 0, 3],
      ['jp-two', 1, 10],
    ]);
  });

  it('reports a YAML syntax error at its line and still loads the other documents', () => {
    const { documents, diagnostics } = loadText(
      'broken.yaml',
      `${OPERATOR}---\nkind: [Operator\nspec: 1\n---\n${OPERATOR.replace('jp-test', 'jp-ok')}`,
    );
    expect(documents.map((d) => d.id)).toEqual(['jp-test', 'jp-ok']);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ file: 'broken.yaml', line: 9, code: 'yaml-syntax' });
  });

  it('rejects duplicate keys at the second key', () => {
    expect(errorsOf(OPERATOR.replace('  networks: [gsm]\n', '  networks: [gsm]\n  country: KR\n'))).toEqual([
      'sub.yaml:7:3: duplicate key "country": each key may appear only once in a map (first at line 5)',
    ]);
  });

  it('names the field, what was expected and what was found', () => {
    expect(errorsOf(OPERATOR.replace('country: JP', 'country: Japan'))).toEqual([
      'sub.yaml:5:12: spec.country: expected an ISO 3166-1 alpha-2 country code such as JP, found the text "Japan"',
    ]);
    expect(errorsOf(OPERATOR.replace('[gsm]', '[gsm, wifi]'))).toEqual([
      'sub.yaml:6:19: spec.networks[1]: expected one of gsm | umts | lte | nr-nsa | nr-sa, found the text "wifi"',
    ]);
  });

  it('reports a missing required field at its parent, and an unknown field at its key with a suggestion', () => {
    expect(errorsOf(OPERATOR.replace('  country: JP\n', '  contry: JP\n'))).toEqual([
      'sub.yaml:5:3: spec.country: required field is missing',
      'sub.yaml:5:3: spec.contry: unknown field (did you mean "country"?)',
    ]);
  });

  it('reports every error of a document, not just the first', () => {
    const text = OPERATOR.replace('country: JP', 'country: jp')
      .replace('[gsm]', '[gsm, 5g]')
      .replace('kind: Operator', 'kind: Operator\nextra: 1');
    expect(errorsOf(text)).toHaveLength(3);
  });

  it('rejects an unknown kind and an unknown apiVersion on their own lines', () => {
    expect(errorsOf(OPERATOR.replace('kind: Operator', 'kind: Operater'))).toEqual([
      'sub.yaml:2:7: kind: expected one of Operator | Owner | Carrier | InterconnectAgreement | RoutingTable | FirewallPolicy | Waiver | AuditProfile, found the text "Operater"',
    ]);
    expect(errorsOf(OPERATOR.replace('ixaudit/v1', 'ixaudit/v2'))).toEqual([
      'sub.yaml:1:13: apiVersion: expected "ixaudit/v1", found the text "ixaudit/v2"',
    ]);
  });

  it('requires metadata.operator on per-operator kinds', () => {
    const text = 'apiVersion: ixaudit/v1\nkind: FirewallPolicy\nmetadata:\n  id: fw\nspec: {}\n';
    expect(errorsOf(text)).toEqual(['sub.yaml:4:3: metadata.operator: required field is missing']);
  });

  it('rejects dates that are not on the calendar', () => {
    const text = 'apiVersion: ixaudit/v1\nkind: AuditProfile\nmetadata: {id: p}\nspec:\n  auditDate: 2026-02-30\n';
    expect(errorsOf(text)).toEqual([
      'sub.yaml:5:14: spec.auditDate: expected a real calendar date such as 2026-06-30, found the text "2026-02-30"',
    ]);
  });

  it('rejects custom and language tags', () => {
    const text = OPERATOR.replace('country: JP', 'country: !!js/function "JP"');
    expect(errorsOf(text)[0]).toMatch(/^sub\.yaml:5:12: unsupported tag: tag:yaml\.org,2002:js\/function/);
  });

  it('keeps __proto__ as an ordinary (rejected) field without polluting prototypes', () => {
    const text = OPERATOR.replace('spec:\n', 'spec:\n  __proto__: {polluted: true}\n');
    expect(errorsOf(text)).toEqual([
      'sub.yaml:5:3: spec.__proto__: unknown field (expected one of: country, plmns, networks, subscribers, assessmentPeriod, contact)',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('stops alias bombs with a located error', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const diagnostics = loadText('bomb.yaml', `${lines.join('\n')}\n`).diagnostics;
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ file: 'bomb.yaml', code: 'yaml-limit' });
    expect(diagnostics[0].message).toMatch(/maxAliasExpansion/);
  });

  it('reports bytes that are not UTF-8 at their line and column, and accepts a BOM and CRLF', () => {
    const bad = Buffer.concat([
      Buffer.from('apiVersion: ixaudit/v1\nkind: Op'),
      Buffer.from([0xff]),
      Buffer.from('erator\n'),
    ]);
    expect(loadBytes('latin.yaml', bad).diagnostics.map(formatDiagnostic)).toEqual([
      'latin.yaml:2:9: byte 0xff is not valid UTF-8: save the file as UTF-8',
    ]);
    const withBom = Buffer.from(`\ufeff${OPERATOR.replace(/\n/g, '\r\n')}`, 'utf8');
    const loaded = loadBytes('bom.yaml', withBom);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.documents[0].positions.locate(['spec', 'country'])).toMatchObject({ line: 5, column: 12 });
  });

  it('keeps names in their own script', () => {
    const text = OPERATOR.replace(
      '{id: jp-test}',
      '{id: jp-test, name: "さくらモバイル / 한빛텔레콤 / Whitiwhiti Kōrero"}',
    );
    expect(loadText('u.yaml', text).documents[0].value.metadata.name).toBe(
      'さくらモバイル / 한빛텔레콤 / Whitiwhiti Kōrero',
    );
  });
});

describe('large-file path', () => {
  /** Every path of a value tree, maps and lists alike. */
  function paths(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
    if (value === null || typeof value !== 'object') return [path];
    const children = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
    return [path, ...children.flatMap(([k, v]) => paths(v, [...path, k]))];
  }

  it('finds the same line and column for every node as the exact loader does', async () => {
    const { readFileSync } = await import('node:fs');
    const { collectFiles } = await import('../src/load/index.js');
    // Every sample and fixture file: block and flow styles, comments, empty values, several documents.
    const files = collectFiles(['inputs', 'test/controls']).files;
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const exact = loadText(file, text);
      const large = loadText(file, text, { limits: { ...DEFAULT_YAML_LIMITS, largeFileBytes: 0 } });
      expect(large.diagnostics).toEqual(exact.diagnostics);
      expect(large.documents.map((d) => d.value)).toEqual(exact.documents.map((d) => d.value));
      exact.documents.forEach((doc, i) => {
        for (const path of paths(doc.value)) {
          expect(large.documents[i].positions.locate(path), `${file} ${path.join('.')}`).toEqual(
            doc.positions.locate(path),
          );
          if (typeof path[path.length - 1] === 'string') {
            expect(large.documents[i].positions.locateKey(path), `${file} key ${path.join('.')}`).toEqual(
              doc.positions.locateKey(path),
            );
          }
        }
      });
    }
  });

  it('reports syntax errors and rejects aliases in large files', () => {
    const limits = { ...DEFAULT_YAML_LIMITS, largeFileBytes: 0 };
    expect(loadText('l.yaml', 'a: [1\n', { limits }).diagnostics.map(formatDiagnostic)[0]).toMatch(
      /^l\.yaml:2:1: YAML syntax error: unexpected end of the stream within a flow collection/,
    );
    const aliased =
      'apiVersion: ixaudit/v1\nkind: Operator\nmetadata: {id: x}\nspec: &s {country: JP, networks: [gsm]}\nother: *s\n';
    expect(loadText('a.yaml', aliased, { limits }).diagnostics.map(formatDiagnostic)).toEqual([
      'a.yaml:5:8: aliases are not accepted in large files (over the large-file threshold): write the data out',
    ]);
  });
});
