import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOM, csvField, csvRecord, csvReporter, fieldText } from '../src/report/csv/index.js';
import { writeChunksAtomic } from '../src/report/write-atomic.js';
import { FINDING_COLUMNS } from '../src/report/xlsx/tables.js';
import { auditReport } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { REGULATOR } from './support/run.js';

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
});

describe('findings.csv', async () => {
  const report = auditReport(['inputs'], REGULATOR);
  const out = tempFiles({});
  const written = await csvReporter.write(report, out, {});
  const bytes = readFileSync(join(out, 'findings.csv'));
  const text = bytes.toString('utf8');

  it('is UTF-8 with a BOM, CRLF line ends, and a header with the Findings columns', () => {
    expect(written).toEqual([join(out, 'findings.csv')]);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(
      text.startsWith(
        `${BOM}Control,Family,Title,Severity,Status,Operator,Subject,File,Line,Column,Message,Remediation,Waiver,Waiver status,Waiver expires,Fingerprint\r\n`,
      ),
    ).toBe(true);
    const records = parseRfc4180(text.slice(1));
    expect(records[0]).toEqual(FINDING_COLUMNS.map((c) => c.header));
  });

  it('holds one record per finding, in findings.json order, with the values of the finding', () => {
    const records = parseRfc4180(text.slice(1));
    expect(records).toHaveLength(report.result.findings.length + 1);
    report.result.findings.forEach((f, i) => {
      const [
        control,
        family,
        title,
        severity,
        status,
        operator,
        subject,
        file,
        line,
        column,
        message,
        ,
        waiver,
        waiverStatus,
        waiverExpires,
        fingerprint,
      ] = records[i + 1];
      expect({
        control,
        family,
        title,
        severity,
        status,
        operator,
        subject,
        file,
        line: Number(line),
        column: Number(column),
        message,
        fingerprint,
      }).toEqual({
        control: f.control,
        family: f.family,
        title: f.title,
        severity: f.severity,
        status: f.status,
        operator: f.operator,
        subject: f.subject,
        file: f.location.file,
        line: f.location.line,
        column: f.location.column,
        message: /^[=+\-@]/.test(f.message) ? `'${f.message}` : f.message,
        fingerprint: f.fingerprint,
      });
      expect([waiver, waiverStatus, waiverExpires]).toEqual([
        f.waiver?.id ?? '',
        f.waiver?.status ?? '',
        f.waiver?.expires ?? '',
      ]);
    });
  });

  it('keeps the waived and expired-waiver findings of the samples readable', () => {
    const records = parseRfc4180(text.slice(1));
    expect(records.find((r) => r[12] === 'w-jp-001')!.slice(3, 7)).toEqual([
      'critical',
      'waived',
      'jp-sakura',
      'RoutingTable/rt-jp-ss7-2026q2#r-0001',
    ]);
    expect(records.find((r) => r[12] === 'w-jp-002')!.slice(13, 15)).toEqual(['expired', '2026-06-30']);
    // Messages name carriers in Chinese; they arrive as written.
    expect(records.some((r) => r[10].includes('中国移动国际有限公司'))).toBe(true);
    expect(records.filter((r) => r[10].includes(',')).length).toBeGreaterThan(0);
  });

  it('is the same bytes on a second run', async () => {
    const again = tempFiles({});
    await csvReporter.write(report, again, {});
    expect(readFileSync(join(again, 'findings.csv')).equals(bytes)).toBe(true);
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
    await csvReporter.write(report, out, {});
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
