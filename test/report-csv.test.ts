import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../src/model/report.js';
import { STATUSES, type Status } from '../src/model/types.js';
import fc from 'fast-check';
import { BOM, csvCell, csvField, csvRecord, csvReporter, fieldText } from '../src/report/csv/index.js';
import { ROUTE_COLUMNS } from '../src/report/xlsx/tables.js';
import { writeChunksAtomic } from '../src/report/write-atomic.js';
import { FINDING_COLUMNS, OCCURRENCE_COLUMNS } from '../src/report/xlsx/tables.js';
import { auditReport } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { REGULATOR } from './support/run.js';
import { presentationOf } from '../src/report/view/index.js';
import { mergedByCause } from './support/causes.js';

/**
 * The report by cause (test/support/causes.ts), and every other occurrence of a route with evidence of
 * its own ({position}), as a control may declare.
 */
function withPositions(report: AuditReport): AuditReport {
  const merged = mergedByCause(report);
  merged.result.findings = merged.result.findings.map((f) => ({
    ...f,
    occurrences: f.occurrences.map((o, i) =>
      o.subject.includes('#') && i % 2 === 1 ? { ...o, evidence: { ...o.evidence, position: i } } : o,
    ),
  }));
  return merged;
}

/** Records as objects keyed by the header. */
function objects(records: string[][]): Array<Record<string, string>> {
  const [header, ...rows] = records;
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

/** A strict RFC 4180 reader: CRLF record ends only, quotes doubled inside quoted fields. */
function parseRfc4180(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"' && text[i + 1] === '"') (field += '"'), (i += 2);
        else if (text[i] === '"') {
          i++;
          break;
        } else field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n')
          throw new Error(`bare ${JSON.stringify(text[i])} at ${i}: must be quoted`);
        field += text[i++];
      }
    }
    record.push(field);
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) (i += 2), records.push(record), (record = []);
    else throw new Error(`expected , or CRLF at ${i}, found ${JSON.stringify(text.slice(i, i + 10))}`);
  }
  if (record.length > 0) throw new Error('last record has no CRLF');
  return records;
}

describe('CSV fields (RFC 4180)', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rhere', '"cr\rhere"'],
    ['', ''],
    ['さくらモバイル', 'さくらモバイル'],
  ])('%j is written %j', (text, written) => {
    expect(csvField(text)).toBe(written);
  });

  it('typed values become text: dates as YYYY-MM-DD, numbers and booleans as written, links as their text', () => {
    expect(fieldText(new Date(Date.UTC(2026, 11, 31)))).toBe('2026-12-31');
    expect(fieldText(12.5)).toBe('12.5');
    expect(fieldText(-3)).toBe('-3');
    expect(fieldText(true)).toBe('true');
    expect(fieldText(null)).toBe('');
    expect(fieldText({ text: 'ICX-RT-01', target: 'Controls!A5' })).toBe('ICX-RT-01');
  });

  it.each(['=1+1', '+1', '-cmd', '@SUM(A1)', '\tx', '\rx'])(
    'text %j that Excel would run as a formula gets a leading apostrophe',
    (text) => {
      expect(fieldText(text)).toBe(`'${text}`);
    },
  );

  it('a record ends with CRLF and quotes only what needs it', () => {
    expect(csvRecord(['a', 'b,c', 3, null, true])).toBe('a,"b,c",3,,true\r\n');
  });

  it('writes any cell as fieldText and csvField together would (the fast cases included)', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.stringMatching(/^[=+\-@\t\r,; "\na-z]{0,12}$/),
    );
    const cell = fc.oneof(
      text,
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.date({ noInvalidDate: true, min: new Date(Date.UTC(1000, 0, 1)), max: new Date(Date.UTC(9999, 0, 1)) }),
      fc.record({ text, target: fc.constant('Controls!A5') }),
    );
    fc.assert(
      fc.property(fc.array(cell, { maxLength: 8 }), (cells) => {
        for (const c of cells) expect(csvCell(c)).toBe(csvField(fieldText(c)));
        expect(csvRecord(cells)).toBe(`${cells.map((c) => csvField(fieldText(c))).join(',')}\r\n`);
      }),
      { numRuns: 500 },
    );
  });
});

describe('findings.csv', async () => {
  const report = auditReport(['inputs'], REGULATOR);
  const out = tempFiles({});
  const written = await csvReporter.write(presentationOf(report), out, {});
  const bytes = readFileSync(join(out, 'findings.csv'));
  const text = bytes.toString('utf8');

  it('is UTF-8 with a BOM, CRLF line ends, and a header with the Findings columns', () => {
    expect(written).toEqual([join(out, 'findings.csv'), join(out, 'occurrences.csv'), join(out, 'routes.csv')]);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(
      text.startsWith(
        `${BOM}Control,Family,Title,Severity,Status,Operator,Occurrences,Subject,File,Line,Column,Message,Remediation,Waiver,Waiver status,Waiver expires,Fingerprint\r\n`,
      ),
    ).toBe(true);
    const records = parseRfc4180(text.slice(1));
    expect(records[0]).toEqual(FINDING_COLUMNS.map((c) => c.header));
  });

  it('holds one record per finding (cause), in findings.json order, with its occurrence count and first occurrence', () => {
    const records = objects(parseRfc4180(text.slice(1)));
    expect(records).toHaveLength(report.result.findings.length);
    report.result.findings.forEach((f, i) => {
      const r = records[i];
      expect({
        control: r.Control,
        family: r.Family,
        title: r.Title,
        severity: r.Severity,
        status: r.Status,
        operator: r.Operator,
        occurrences: Number(r.Occurrences),
        subject: r.Subject,
        file: r.File,
        line: Number(r.Line),
        column: Number(r.Column),
        message: r.Message,
        fingerprint: r.Fingerprint,
      }).toEqual({
        control: f.control,
        family: f.family,
        title: f.title,
        severity: f.severity,
        status: f.status,
        operator: f.operator,
        occurrences: f.occurrences.length,
        subject: f.subject,
        file: f.location.file,
        line: f.location.line,
        column: f.location.column,
        message: /^[=+\-@]/.test(f.message) ? `'${f.message}` : f.message,
        fingerprint: f.fingerprint,
      });
      expect([r.Waiver, r['Waiver status'], r['Waiver expires']]).toEqual([
        f.waiver?.id ?? '',
        f.waiver?.status ?? '',
        f.waiver?.expires ?? '',
      ]);
    });
  });

  it('counts every subject of the summary: the occurrence counts add up to the totals, per status', () => {
    const records = objects(parseRfc4180(text.slice(1)));
    const counted = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
    for (const r of records) counted[r.Status as Status] += Number(r.Occurrences);
    for (const group of report.result.summarised ?? []) counted[group.status] += group.count;
    expect(counted).toEqual(report.result.summary.byStatus);
  });

  it('keeps the waived and expired-waiver findings of the samples readable', () => {
    const records = objects(parseRfc4180(text.slice(1)));
    expect(records.find((r) => r.Waiver === 'w-jp-001')).toMatchObject({
      Severity: 'critical',
      Status: 'waived',
      Operator: 'jp-sakura',
      Subject: 'RoutingTable/rt-jp-ss7-2026q2#r-0001',
    });
    expect(records.find((r) => r.Waiver === 'w-jp-002')).toMatchObject({
      'Waiver status': 'expired',
      'Waiver expires': '2026-06-30',
    });
    // Messages name carriers in Chinese; they arrive as written.
    expect(records.some((r) => r.Message.includes('中国移动国际有限公司'))).toBe(true);
    expect(records.filter((r) => r.Message.includes(',')).length).toBeGreaterThan(0);
  });

  it('is the same bytes on a second run', async () => {
    const again = tempFiles({});
    await csvReporter.write(presentationOf(report), again, {});
    expect(readFileSync(join(again, 'findings.csv')).equals(bytes)).toBe(true);
    expect(readFileSync(join(again, 'occurrences.csv')).equals(readFileSync(join(out, 'occurrences.csv')))).toBe(true);
  });
});

describe('routes.csv', async () => {
  const report = auditReport(['inputs'], REGULATOR);
  const out = tempFiles({});
  await csvReporter.write(presentationOf(report), out, {});
  const records = parseRfc4180(readFileSync(join(out, 'routes.csv'), 'utf8').slice(1));
  const routes = objects(records);

  it('has the Routes sheet’s columns and one record per route, with the controls each fails', () => {
    expect(records[0]).toEqual(ROUTE_COLUMNS.map((c) => c.header));
    expect(routes).toHaveLength(report.inventory.routes.length);
    expect(routes.map((r) => `${r.Operator} ${r.Table} ${r.Route}`)).toEqual(
      report.inventory.routes.map((r) => `${r.operator} ${r.table} ${r.id}`),
    );
    // A route a control failed names it: the fail occurrences of every finding, route by route.
    const failing = report.result.findings.find((f) => f.status === 'fail' && f.subject.includes('#'))!;
    const [table, id] = failing.occurrences[0].subject.replace('RoutingTable/', '').split('#');
    const row = routes.find((r) => r.Operator === failing.operator && r.Table === table && r.Route === id)!;
    expect(row['Failed controls'].split(', ')).toContain(failing.control);
  });
});

describe('occurrences.csv', async () => {
  // The samples by cause, whatever the engine groups: findings of one control, operator, status and waiver
  // are merged here into one, so that causes with many occurrences (and evidence of their own) are certain.
  const report = withPositions(auditReport(['inputs'], REGULATOR));
  const out = tempFiles({});
  await csvReporter.write(presentationOf(report), out, {});
  const findings = objects(parseRfc4180(readFileSync(join(out, 'findings.csv'), 'utf8').slice(1)));
  const text = readFileSync(join(out, 'occurrences.csv'), 'utf8');
  const records = parseRfc4180(text.slice(1));
  const occurrences = objects(records);

  it('is UTF-8 with a BOM and the Occurrences header', () => {
    expect(text.startsWith(BOM)).toBe(true);
    expect(records[0]).toEqual(OCCURRENCE_COLUMNS.map((c) => c.header));
    expect(records[0]).toEqual([
      'Finding',
      'Control',
      'Operator',
      'Status',
      'Subject',
      'File',
      'Line',
      'Column',
      'Evidence',
      'Fingerprint',
    ]);
  });

  it('holds one record per occurrence of every finding, in order, each naming its finding by fingerprint', () => {
    const expected = report.result.findings.flatMap((f) => f.occurrences.map((o) => ({ f, o })));
    expect(expected.length).toBeGreaterThan(report.result.findings.length); // the merge made causes
    expect(occurrences).toHaveLength(expected.length);
    expected.forEach(({ f, o }, i) => {
      expect(occurrences[i]).toEqual({
        Finding: f.fingerprint,
        Control: f.control,
        Operator: f.operator,
        Status: f.status,
        Subject: o.subject,
        File: o.location.file,
        Line: String(o.location.line),
        Column: String(o.location.column),
        Evidence: o.evidence && Object.keys(o.evidence).length > 0 ? JSON.stringify(o.evidence) : '',
        Fingerprint: o.fingerprint,
      });
    });
  });

  it('joins findings.csv: each finding has as many occurrence records as its count, the first its own subject', () => {
    const byFinding = new Map<string, Array<Record<string, string>>>();
    for (const o of occurrences) byFinding.set(o.Finding, [...(byFinding.get(o.Finding) ?? []), o]);
    expect(byFinding.size).toBe(findings.length);
    for (const f of findings) {
      const own = byFinding.get(f.Fingerprint)!;
      expect(own).toHaveLength(Number(f.Occurrences));
      expect([own[0].Subject, own[0].File, own[0].Line, own[0].Column, own[0].Fingerprint]).toEqual([
        f.Subject,
        f.File,
        f.Line,
        f.Column,
        f.Fingerprint,
      ]);
    }
    const many = findings.filter((f) => Number(f.Occurrences) > 1);
    expect(many.length).toBeGreaterThan(10);
  });

  it('writes per-occurrence evidence as JSON', () => {
    const withEvidence = occurrences.filter((o) => o.Evidence !== '');
    expect(withEvidence.length).toBeGreaterThan(0);
    for (const o of withEvidence) expect(JSON.parse(o.Evidence)).toBeTypeOf('object');
    expect(withEvidence.some((o) => typeof JSON.parse(o.Evidence).position === 'number')).toBe(true);
  });

  it('guards text Excel would run as a formula, as findings.csv does', async () => {
    const hostile = withPositions(auditReport(['inputs/no-nordlys'], REGULATOR));
    const f = hostile.result.findings[0];
    f.occurrences = [
      ...f.occurrences,
      {
        subject: '=HYPERLINK("http://example.invalid")',
        location: { file: '+cmd|calc', line: 1, column: 1 },
        fingerprint: 'f'.repeat(32),
        evidence: { note: '=1+1' },
      },
    ];
    const dir = tempFiles({});
    await csvReporter.write(presentationOf(hostile), dir, {});
    const rows = objects(parseRfc4180(readFileSync(join(dir, 'occurrences.csv'), 'utf8').slice(1)));
    const row = rows.find((r) => r.Fingerprint === 'f'.repeat(32))!;
    expect([row.Subject, row.File, row.Evidence]).toEqual([
      `'=HYPERLINK("http://example.invalid")`,
      `'+cmd|calc`,
      '{"note":"=1+1"}',
    ]);
  });

  it('with --baseline: each occurrence has its own change and previous status', async () => {
    const compared = withPositions(auditReport(['inputs/nz-aotearoa'], REGULATOR));
    const many = compared.result.findings.find((f) => f.occurrences.length > 2)!;
    compared.result.findings.forEach((f) => {
      f.occurrences = f.occurrences.map((o, i) => ({
        ...o,
        baseline: f === many && i === 1 ? { state: 'regressed', previousStatus: 'pass' } : { state: 'unchanged' },
      }));
      f.baseline = f.occurrences[0].baseline;
    });
    compared.result.baseline = {
      source: 'previous',
      previousAuditDate: '2026-01-01',
      counts: { new: 0, regressed: 1, improved: 0, unchanged: 0, changed: 0, resolved: 0 },
      removed: [],
    };
    const dir = tempFiles({});
    await csvReporter.write(presentationOf(compared), dir, {});
    const rows = parseRfc4180(readFileSync(join(dir, 'occurrences.csv'), 'utf8').slice(1));
    expect(rows[0]).toEqual([...OCCURRENCE_COLUMNS.map((c) => c.header), 'Change since baseline', 'Previous status']);
    const own = objects(rows).filter((r) => r.Finding === many.fingerprint);
    expect(own.map((r) => [r['Change since baseline'], r['Previous status']])).toEqual(
      many.occurrences.map((_, i) => (i === 1 ? ['regressed', 'pass'] : ['unchanged', ''])),
    );
    // findings.csv keeps one change per finding: its first occurrence's.
    const causes = objects(parseRfc4180(readFileSync(join(dir, 'findings.csv'), 'utf8').slice(1)));
    expect(causes.find((r) => r.Fingerprint === many.fingerprint)!['Change since baseline']).toBe('unchanged');
  });
});

describe('findings.csv after a --baseline run', () => {
  it('adds the change and previous status after the Findings columns', async () => {
    const report = auditReport(['inputs'], REGULATOR);
    report.result.findings.forEach((f, i) => {
      f.baseline = i === 0 ? { state: 'changed', previousStatus: 'fail' } : { state: 'unchanged' };
    });
    report.result.baseline = {
      source: 'previous',
      previousAuditDate: '2026-01-01',
      counts: {
        new: 0,
        regressed: 0,
        improved: 0,
        unchanged: report.result.findings.length - 1,
        changed: 1,
        resolved: 0,
      },
      removed: [],
    };
    const out = tempFiles({});
    await csvReporter.write(presentationOf(report), out, {});
    const records = parseRfc4180(readFileSync(join(out, 'findings.csv'), 'utf8').slice(1));
    expect(records[0]).toEqual([...FINDING_COLUMNS.map((c) => c.header), 'Change since baseline', 'Previous status']);
    expect(records[1].slice(-2)).toEqual(['changed', 'fail']);
    expect(records[2].slice(-2)).toEqual(['unchanged', '']);
    expect(new Set(records.map((r) => r.length))).toEqual(new Set([FINDING_COLUMNS.length + 2]));
  });
});

describe('writing the CSV', () => {
  it('a failure midway leaves the previous file and no temporary file', () => {
    const out = tempFiles({ 'findings.csv': 'previous' });
    function* chunks() {
      yield 'a,b\r\n';
      throw new Error('disk on fire');
    }
    expect(() => writeChunksAtomic(join(out, 'findings.csv'), chunks())).toThrow('disk on fire');
    expect(readFileSync(join(out, 'findings.csv'), 'utf8')).toBe('previous');
    expect(readdirSync(out)).toEqual(['findings.csv']);
  });

  it('writes large output in batches and the result is whole', () => {
    const out = tempFiles({});
    const line = `${'x'.repeat(1000)},さくら\r\n`;
    writeChunksAtomic(
      join(out, 'big.csv'),
      Array.from({ length: 3000 }, () => line),
    );
    expect(readFileSync(join(out, 'big.csv'), 'utf8')).toBe(line.repeat(3000));
  });

  it('keeps multi-byte text whole across block boundaries and in chunks larger than a block', () => {
    const out = tempFiles({});
    const pieces = ['한빛', 'x'.repeat(349_525), 'さくら', `${'é'.repeat(400_000)}\r\n`, 'Kōrero'.repeat(3)];
    writeChunksAtomic(join(out, 'mixed.csv'), pieces);
    expect(readFileSync(join(out, 'mixed.csv'), 'utf8')).toBe(pieces.join(''));
  });
});
