// Issue 14, cases 8, 10 and 11: hostile text in a submission (operator and carrier names, file names,
// messages) must not break a file format, drive the terminal, or become a spreadsheet formula.
import { cpSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { SaxesParser } from 'saxes';
import { beforeAll, describe, expect, it } from 'vitest';
import { progressReporter } from '../src/cli/summary.js';
import { csvRecord, fieldText } from '../src/report/csv/index.js';
import { htmlText, quotedName, terminalDiagnostic, terminalText, xmlText } from '../src/model/text.js';
import { tempFiles } from './support/files.js';
import { run } from './support/run.js';
import { zipEntry } from './support/zip.js';

/** Every character XML 1.0 forbids (its Char production), over UTF-16 code units. */
const XML_FORBIDDEN =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** A strict parse (saxes reports disallowed characters, bad markup and entities) plus the regex. */
function wellFormedProblems(xml: string): string[] {
  const problems: string[] = [];
  if (XML_FORBIDDEN.test(xml)) problems.push(`forbidden character at ${xml.search(XML_FORBIDDEN)}`);
  const parser = new SaxesParser({ xmlns: true });
  parser.on('error', (e) => problems.push(e.message));
  parser.write(xml).close();
  return problems;
}

function zipNames(path: string): string[] {
  const buf = readFileSync(path);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const names: string[] = [];
  let at = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < buf.readUInt16LE(eocd + 10); i++) {
    const nameLength = buf.readUInt16LE(at + 28);
    names.push(buf.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
  return names;
}

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    return statSync(path).isDirectory() ? filesUnder(path, suffix) : f.endsWith(suffix) ? [path] : [];
  });
}

/** Sets `metadata.name` (the first `  name:` line) of a YAML file to a double-quoted YAML string. */
function setName(path: string, from: string, yamlQuoted: string): void {
  const text = readFileSync(path, 'utf8');
  if (!text.includes(`name: ${from}`)) throw new Error(`${path}: no name ${from}`);
  writeFileSync(path, text.replace(`name: ${from}`, `name: ${yamlQuoted}`));
}

// YAML double-quoted escapes: \uFFFE, \x01, \b (backspace), \v, \x1F, a lone \uD800, \0 NUL, \e ESC, \a BEL.
const XML_HOSTILE = '"Sakura \\uFFFE\\uFFFF\\x01\\b\\v\\x1F\\uD800 _x0007_ K.K."';
const TERMINAL_HOSTILE = '"\\e[2J\\e[31mFAKE PASS\\e[0m\\e]0;owned\\a\\r  PASS everything fine\\0\\u202Eevil"';
const CSV_HOSTILE = `"+1+cmd|' /C calc'!A0;=2+2"`;
const FORGED = 'firewall\nerror x.yaml:1:1: all clear.yaml';

let work: string;
let out: string;
let result: Awaited<ReturnType<typeof run>>;

beforeAll(async () => {
  work = tempFiles({});
  cpSync('inputs', join(work, 'inputs'), { recursive: true });
  cpSync('regulator', join(work, 'regulator'), { recursive: true });
  setName(join(work, 'inputs/jp-sakura/operator.yaml'), 'さくらモバイル株式会社 (Sakura Mobile K.K.)', XML_HOSTILE);
  setName(
    join(work, 'inputs/nz-aotearoa/operator.yaml'),
    readFileSync('inputs/nz-aotearoa/operator.yaml', 'utf8').match(/^ {2}name: (.*)$/m)![1]!,
    TERMINAL_HOSTILE,
  );
  setName(join(work, 'inputs/kr-hanbit/operator.yaml'), '한빛텔레콤 (Hanbit Telecom)', CSV_HOSTILE);
  setName(join(work, 'regulator/registry/parties.yaml'), 'Fjord Carrier AS', '"Fjord \\uFFFF\\x02 Carrier AS"');
  // A carrier whose name reaches findings messages, and so the CSV: the bundled tata-comm, renamed by a registry override.
  const tata = readFileSync('registry/carriers.yaml', 'utf8')
    .split(/^---$/m)
    .find((doc) => doc.includes('id: tata-comm'))!;
  writeFileSync(
    join(work, 'regulator/registry/tata.yaml'),
    tata.replace('name: Tata Communications Limited', `name: ${CSV_HOSTILE}`),
  );
  // A submission file whose name holds a newline and a forged error line; its findings are located in it.
  renameSync(join(work, 'inputs/jp-sakura/firewall.yaml'), join(work, 'inputs/jp-sakura', FORGED));
  out = join(work, 'out');
  const r = join(work, 'regulator');
  result = await run(
    'audit',
    join(work, 'inputs'),
    '--profile',
    join(r, 'profile.yaml'),
    '--registry',
    join(r, 'registry'),
    '--waivers',
    join(r, 'waivers'),
    '--out',
    out,
  );
}, 120_000);

describe('case 8: characters XML 1.0 forbids, in every XML-based output', () => {
  it('xmlText replaces each forbidden character visibly and leaves valid text alone', () => {
    expect(xmlText('a\ufffeb\uffffc\u0001\u0000\u001f\ud800d')).toBe('a\\ufffeb\\uffffc\\u0001\\u0000\\u001f\\ud800d');
    expect(xmlText('\udc00x')).toBe('\\udc00x');
    expect(xmlText('tab\there\nline\r😀 さくら')).toBe('tab\there\nline\r😀 さくら');
    // OOXML decodes _xHHHH_ in strings: a literal one is escaped so it reads back as written.
    expect(xmlText('_x0007_')).toBe('_x005F_x0007_');
  });

  it('every part of findings.xlsx and sector.xlsx is well-formed, and exceljs reads the workbooks back', async () => {
    expect(result.code).toBe(1);
    const books = filesUnder(out, '.xlsx');
    expect(books.map((b) => b.slice(out.length + 1)).sort()).toEqual(
      expect.arrayContaining(['findings.xlsx', 'sector.xlsx', 'jp-sakura/findings.xlsx']),
    );
    for (const book of books) {
      for (const name of zipNames(book).filter((n) => n.endsWith('.xml') || n.endsWith('.rels'))) {
        expect(wellFormedProblems(zipEntry(book, name)), `${book} ${name}`).toEqual([]);
      }
      const read = new ExcelJS.Workbook();
      await read.xlsx.readFile(book);
      expect(read.worksheets.length).toBeGreaterThan(1);
    }
    // The name is still there to read, its odd characters shown rather than dropped.
    const sector = zipNames(join(out, 'sector.xlsx'))
      .map((n) => zipEntry(join(out, 'sector.xlsx'), n))
      .join('');
    expect(sector).toContain('Sakura \\ufffe\\uffff\\u0001\\u0008\\u000b\\u001f\\ud800 _x005F_x0007_ K.K.');
    expect(sector).toContain('Fjord \\uffff\\u0002 Carrier AS');
  });

  it('the HTML index holds no forbidden character and shows U+202E visibly', () => {
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).not.toMatch(XML_FORBIDDEN);
    // Tab, LF and CR are white space in HTML; every other control and the bidi controls are shown.
    expect(html).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(html).toContain('Sakura \\ufffe\\uffff');
    expect(html).toContain('\\u202eevil');
    expect(htmlText('a\u202eb\u2066c\u0085\tok\n')).toBe('a\\u202eb\\u2066c\\u0085\tok\n');
  });
});

describe('case 10: nothing ixaudit prints can drive the terminal or forge a line', () => {
  it('the end-of-run summary shows control characters of an operator name visibly', () => {
    expect(result.stdout).not.toMatch(TERMINAL_CONTROL);
    expect(result.stdout).toContain(
      '(\\u001b[2J\\u001b[31mFAKE PASS\\u001b[0m\\u001b]0;owned\\u0007\\u000d  PASS everything fine\\u0000\\u202eevil)',
    );
    // No line of the summary is the forged one.
    expect(result.stdout.split('\n').some((l) => /^\s*PASS everything fine/.test(l))).toBe(false);
  });

  it('a file name with a newline is quoted on the failure lines, not split into a forged error line', () => {
    expect(result.stdout.split('\n').some((l) => l.startsWith('error x.yaml'))).toBe(false);
    expect(result.stdout).toMatch(/"[^"\n]*firewall\\u000aerror x\.yaml:1:1: all clear\.yaml":\d+:\d+ /);
  });

  it('progress lines escape the operator id', () => {
    const written: string[] = [];
    const stream = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
    progressReporter(
      stream,
      false,
    )({ stage: 'operator', done: 1, total: 1, outcome: { operatorId: 'op\u001b[2J\r\u0007', findings: [] } } as never);
    expect(written).toEqual(['audited op\\u001b[2J\\u000d\\u0007 (1/1): 0 failed, 0 errors\n']);
  });

  it('terminalText, quotedName and terminalDiagnostic: C0, DEL, C1 and bidi controls shown; ordinary text unchanged', () => {
    expect(terminalText('a\u0000\u0007\u007f\u009b\u202a\u202e\u2066\u2069\tz')).toBe(
      'a\\u0000\\u0007\\u007f\\u009b\\u202a\\u202e\\u2066\\u2069\\u0009z',
    );
    expect(terminalText('さくらモバイル 😀 C:\\x')).toBe('さくらモバイル 😀 C:\\x');
    expect(quotedName('inputs/jp/routing.yaml')).toBe('inputs/jp/routing.yaml');
    expect(quotedName('C:\\inputs\\a.yaml')).toBe('C:\\inputs\\a.yaml');
    expect(quotedName('a\nerror b.yaml:1:1: x')).toBe('"a\\u000aerror b.yaml:1:1: x"');
    expect(quotedName('a"b\\c')).toBe('"a\\"b\\\\c"');
    const d = { code: 'yaml', file: 'x\ny.yaml', line: 3, column: 4, message: 'bad \u001b[2J' } as never;
    expect(terminalDiagnostic(d)).toBe('"x\\u000ay.yaml":3:4: bad \\u001b[2J');
    expect(terminalDiagnostic({ code: 'yaml', file: 'ok.yaml', line: 0, column: 0, message: 'missing' } as never)).toBe(
      'ok.yaml: missing',
    );
  });
});

/** RFC 4180 fields of one record, honouring quotes, split on `sep`. */
function rfc4180Fields(record: string, sep: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < record.length; i++) {
    const ch = record[i]!;
    if (quoted) {
      if (ch === '"' && record[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) fields.push(field), (field = '');
    else field += ch;
  }
  fields.push(field);
  return fields;
}

describe('case 11: CSV formula after a separator of either kind', () => {
  const payload = "+1+cmd|' /C calc'!A0;=2+2";

  it('quotes the field and guards the part after the separator, for readers splitting on , or ; with or without quotes', () => {
    const record = csvRecord(['a', payload, 'x, -1', 'b']).replace(/\r\n$/, '');
    expect(record).toBe(`a,"'+1+cmd|' /C calc'!A0;'=2+2","x, '-1",b`);
    for (const sep of [',', ';']) {
      for (const f of rfc4180Fields(record, sep)) expect(f).not.toMatch(/^[=+\-@\t\r]/);
      // A reader that splits without honouring quotes, as a naive import does.
      for (const f of record.split(sep)) expect(f.replace(/^"/, '')).not.toMatch(/^ *[=+\-@\t\r]/);
    }
  });

  it('keeps ordinary values unchanged (a semicolon only adds quotes)', () => {
    for (const text of [
      'Sakura Mobile',
      'maxCarrierShare = 60; highRiskJurisdictions = CN, HK',
      'a-b',
      'x@y.example',
      '2026-07-01',
    ])
      expect(fieldText(text)).toBe(text);
    expect(csvRecord(['a; b', 'c']).trimEnd()).toBe('"a; b",c');
  });

  it('findings.csv of the run holds the hostile name quoted and guarded, and is valid RFC 4180', () => {
    const csv = readFileSync(join(out, 'findings.csv'), 'utf8');
    expect(csv).toContain(`+1+cmd|' /C calc'!A0;'=2+2`);
    expect(csv).not.toMatch(/[,;]=2\+2/);
    // RFC 4180: outside quotes no bare quote; every record ends CRLF; quotes balance.
    expect((csv.match(/"/g) ?? []).length % 2).toBe(0);
    expect(csv.endsWith('\r\n')).toBe(true);
  });
});
