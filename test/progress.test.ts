import { describe, expect, it } from 'vitest';
import { printSummary, type ProgressEvent, progressReporter } from '../src/cli/summary.js';
import { countText } from '../src/report/number-text.js';
import type { Finding } from '../src/model/finding.js';
import { cpSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAuditParallel } from '../src/audit/parallel.js';
import { piecewiseParse } from '../src/load/large.js';
import { DEFAULT_YAML_LIMITS } from '../src/load/limits.js';
import { progressEvery } from '../src/model/progress.js';
import { REPORTERS } from '../src/report/index.js';
import { publishReports } from '../src/report/publish.js';
import type { WriteProgress } from '../src/report/types.js';
import { tempFiles } from './support/files.js';
import { nationalTable } from './support/tables.js';
import { audit } from './support/audit.js';
import { REGULATOR } from './support/run.js';

// Issue 15: "A 50,000-route audit leaves the terminal blank for about 65 s of its 80 s." Every stage now
// says what it is doing; on a terminal one line is rewritten in place, in a log one line per step.

/** What the reporter writes, on a terminal or not; `now` is its clock (the real one by default). */
function capture(isTTY: boolean, now?: () => number): { written: string[]; report: (e: ProgressEvent) => void } {
  const written: string[] = [];
  const stream = { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  return { written, report: progressReporter(stream, false, now) };
}

const RUN: ProgressEvent[] = [
  { stage: 'loading' },
  { stage: 'loaded', operators: 2, routes: 1_234_567 },
  { stage: 'operator', done: 1, total: 2, outcome: { operatorId: 'jp-a', findings: [] } } as never,
  { stage: 'writing', format: 'pdf', index: 2, total: 8 },
  { stage: 'done' },
];

describe('progress on the terminal', () => {
  it('in a log: one line per step, from loading to each writer, counts with thousands separators', () => {
    const { written, report } = capture(false);
    for (const e of RUN) report(e);
    expect(written).toEqual([
      'loading and validating the inputs…\n',
      'loaded 1,234,567 route(s); auditing 2 operator(s)…\n',
      'audited jp-a (1/2): 0 failed, 0 errors\n',
      'writing pdf (2/8)…\n',
    ]);
  });

  it('on a terminal: each step rewrites the line, and done clears it', () => {
    const { written, report } = capture(true);
    for (const e of RUN) report(e);
    expect(written.every((w) => w.startsWith('\r\u001b[2K'))).toBe(true);
    expect(written.at(-1)).toBe('\r\u001b[2K');
    expect(written.join('')).not.toContain('\n');
  });

  it('inside a long stage: a new step is shown after half a second without a line, a count after a second', () => {
    let clock = 0;
    const { written, report } = capture(false, () => clock);
    report({ stage: 'loading' });
    clock = 400;
    report({ stage: 'reading', file: 'inputs/a.yaml', index: 1, total: 2 });
    clock = 1_500;
    report({ stage: 'reading', file: 'inputs/national.yaml', index: 2, total: 2 });
    report({ stage: 'loaded', operators: 1, routes: 1_000_000 });
    for (let i = 0; i < 41; i++) {
      clock += 100;
      report({ stage: 'evaluating', operatorId: 'jp-a', control: `ICX-X-${i}`, done: i, total: 41 });
    }
    // One control's subjects, counted every 100 ms: a count of the same step waits a whole second.
    for (let done = 50_000; done <= 1_000_000; done += 50_000) {
      clock += 100;
      report({
        stage: 'evaluating',
        operatorId: 'jp-a',
        control: 'ICX-X-40',
        done: 40,
        total: 41,
        subjects: { done, total: 1_000_000 },
      });
    }
    expect(written).toEqual([
      'loading and validating the inputs…\n',
      'reading inputs/national.yaml (2/2)…\n',
      'loaded 1,000,000 route(s); auditing 1 operator(s)…\n',
      // 100 ms a control, each a new step: the 5th after "loaded" is half a second later, then every 5th.
      'auditing jp-a: control 5/41 (ICX-X-4)…\n',
      'auditing jp-a: control 10/41 (ICX-X-9)…\n',
      'auditing jp-a: control 15/41 (ICX-X-14)…\n',
      'auditing jp-a: control 20/41 (ICX-X-19)…\n',
      'auditing jp-a: control 25/41 (ICX-X-24)…\n',
      'auditing jp-a: control 30/41 (ICX-X-29)…\n',
      'auditing jp-a: control 35/41 (ICX-X-34)…\n',
      'auditing jp-a: control 40/41 (ICX-X-39)…\n',
      // The 41st control is a new step: named half a second after the 40th (by then with its count of
      // 200,000), then its counts once a second.
      'auditing jp-a: control 41/41 (ICX-X-40), 200,000 of 1,000,000 subjects…\n',
      'auditing jp-a: control 41/41 (ICX-X-40), 700,000 of 1,000,000 subjects…\n',
    ]);
  });

  it('the audit reports each file read and each control evaluated, from worker threads too', async () => {
    for (const jobs of [1, 2]) {
      const events: ProgressEvent[] = [];
      await runAuditParallel({ paths: ['inputs'], today: '2026-07-01', ...REGULATOR }, jobs, (e) => events.push(e));
      // One event as each file starts; then what is done with it (hashing, scanning, validating).
      const reading = events.filter((e) => e.stage === 'reading' && !e.phase && !e.routes);
      const phases = events.filter((e) => e.stage === 'reading' && e.phase);
      expect(phases.length, `jobs ${jobs}`).toBe(3 * reading.length);
      expect(reading.length, `jobs ${jobs}`).toBeGreaterThan(10);
      expect(reading.at(-1)).toMatchObject({ index: reading.length, total: reading.length });
      const evaluating = events.filter((e) => e.stage === 'evaluating');
      const operators = ['jp-sakura', 'kr-hanbit', 'no-nordlys', 'nz-aotearoa'];
      expect(new Set(evaluating.map((e) => e.operatorId)), `jobs ${jobs}`).toEqual(new Set(operators));
      // Each operator's controls in order, then the operator's outcome.
      for (const id of operators) {
        const own = evaluating.filter((e) => e.operatorId === id);
        expect(own.map((e) => e.done)).toEqual(own.map((_, i) => i));
        const done = events.findIndex((e) => e.stage === 'operator' && e.outcome.operatorId === id);
        expect(events.lastIndexOf(own.at(-1)!)).toBeLessThan(done);
      }
    }
  });

  it('inside each long loop and writer: how far it is, once a quiet second has passed', () => {
    let clock = 0;
    const { written, report } = capture(false, () => clock);
    const events: ProgressEvent[] = [
      { stage: 'loaded', operators: 1, routes: 1_000_000 },
      { stage: 'enriching', operatorId: 'jp-a' },
      { stage: 'enriching', operatorId: 'jp-a', routes: { done: 400_000, total: 1_000_000 } },
      { stage: 'evaluating', operatorId: 'jp-a', control: 'ICX-ENC-01', done: 12, total: 41 },
      {
        stage: 'evaluating',
        operatorId: 'jp-a',
        control: 'ICX-ENC-01',
        done: 12,
        total: 41,
        subjects: { done: 650_000, total: 1_000_000 },
      },
      { stage: 'locating', operatorId: 'jp-a', locations: { done: 1_500_000, total: 2_923_217 } },
      { stage: 'reading', file: 'national.csv', index: 2, total: 2, read: { done: 459, total: 1_000 } },
      { stage: 'operator', done: 1, total: 1, outcome: { operatorId: 'jp-a', findings: [] } } as never,
      // A large run names its one-piece stages at once, however soon after the last line.
      { stage: 'assembling' },
      { stage: 'preparing' },
      { stage: 'writing', format: 'csv', index: 3, total: 8 },
      { stage: 'writing-file', format: 'csv', file: 'occurrences.csv', done: 312 * 2 ** 20, unit: 'bytes' },
      { stage: 'writing-file', format: 'csv', file: 'routes.csv', done: 1_500_000, unit: 'occurrences' },
      { stage: 'writing-file', format: 'xlsx', file: 'jp-a/findings.xlsx', done: 45_000, unit: 'rows' },
      { stage: 'writing-file', format: 'pdf', file: 'jp-a/report.pdf', done: 12, unit: 'pages' },
      { stage: 'writing-file', format: 'xlsx', file: 'jp-b/findings.xlsx', done: 1, unit: 'rows' },
    ];
    const quiet = new Set(['enriching', 'operator', 'assembling', 'preparing', 'writing']);
    for (const e of events) {
      // A second passes before each counted step; the others come at once.
      if (!quiet.has(e.stage) || ('routes' in e && e.routes)) clock += 1_000;
      report(e);
    }
    expect(written).toEqual([
      'loaded 1,000,000 route(s); auditing 1 operator(s)…\n',
      'auditing jp-a: resolving carriers and routes, 400,000 of 1,000,000 routes…\n',
      'auditing jp-a: control 13/41 (ICX-ENC-01)…\n',
      'auditing jp-a: control 13/41 (ICX-ENC-01), 650,000 of 1,000,000 subjects…\n',
      'auditing jp-a: locating findings in the inputs, 1,500,000 of 2,923,217 occurrences…\n',
      'reading national.csv (2/2), 45 % read…\n',
      'audited jp-a (1/1): 0 failed, 0 errors\n',
      'assembling the findings of every operator…\n',
      'preparing the reports…\n',
      'writing csv (3/8)…\n',
      'writing csv: occurrences.csv, 312 MB so far…\n',
      'writing csv: routes.csv, matching failures to routes, 1,500,000 occurrences…\n',
      'writing xlsx: jp-a/findings.xlsx, 45,000 rows so far…\n',
      'writing pdf: jp-a/report.pdf, page 12…\n',
      'writing xlsx: jp-b/findings.xlsx, 1 row so far…\n',
    ]);
  });

  it('a small run does not name its one-piece stages', () => {
    const { written, report } = capture(false);
    report({ stage: 'loaded', operators: 4, routes: 40 });
    report({ stage: 'assembling' });
    report({ stage: 'preparing' });
    expect(written).toEqual(['loaded 40 route(s); auditing 4 operator(s)…\n']);
  });

  it('enrichment, each control and locating count through a large table; each writer says how far it is', async () => {
    const work = tempFiles({});
    cpSync('inputs', join(work, 'inputs'), { recursive: true });
    writeFileSync(join(work, 'inputs', 'no-nordlys', 'routing-national.yaml'), nationalTable(2_100));
    const events: ProgressEvent[] = [];
    const every = progressEvery.items;
    const perPiece = piecewiseParse.itemsPerPiece;
    progressEvery.items = 500;
    piecewiseParse.itemsPerPiece = 500;
    let report: Awaited<ReturnType<typeof runAuditParallel>>;
    try {
      // The national table goes the large-file way (pieces), as a 275 MB one would.
      const limits = { ...DEFAULT_YAML_LIMITS, largeFileBytes: 100_000 };
      report = await runAuditParallel(
        { paths: [join(work, 'inputs')], today: '2026-07-01', ...REGULATOR, limits },
        1,
        (e) => events.push(e),
      );
    } finally {
      progressEvery.items = every;
      piecewiseParse.itemsPerPiece = perPiece;
    }
    const national = events.flatMap((e) =>
      e.stage === 'reading' && e.file.endsWith('routing-national.yaml') ? [e] : [],
    );
    expect(national.map((e) => e.phase ?? (e.routes ? `${e.routes.done}/${e.routes.total}` : 'start'))).toEqual([
      'start',
      'checking',
      'scanning',
      '0/2100',
      '500/2100',
      '1000/2100',
      '1500/2100',
      '2000/2100',
      '2100/2100',
      'validating',
    ]);
    const loaded = events.findIndex((e) => e.stage === 'loaded');
    expect(events.findIndex((e) => e.stage === 'cross-checking')).toBeLessThan(loaded);
    const listing = events.flatMap((e) => (e.stage === 'listing' && e.operatorId === 'no-nordlys' ? [e] : []));
    expect(listing.map((e) => e.routes.done)).toEqual([500, 1_000, 1_500, 2_000]);
    const enriching = events.flatMap((e) => (e.stage === 'enriching' && e.operatorId === 'no-nordlys' ? [e] : []));
    expect(enriching.flatMap((e) => (e.routes ? [e.routes.done] : []))).toEqual([500, 1_000, 1_500, 2_000]);
    expect(enriching.at(-1)!.routes!.total).toBeGreaterThanOrEqual(2_100);
    const subjects = events.flatMap((e) =>
      e.stage === 'evaluating' && e.operatorId === 'no-nordlys' && e.subjects ? [e] : [],
    );
    // Every route control counts through the table; its steps keep the control's place in the catalog.
    expect(new Set(subjects.map((e) => e.control)).size).toBeGreaterThan(5);
    for (const e of subjects) expect(e.subjects!.done % 500).toBe(0);
    const locating = events.flatMap((e) => (e.stage === 'locating' && e.operatorId === 'no-nordlys' ? [e] : []));
    expect(locating.length).toBeGreaterThan(0);
    expect(locating.every((e) => e.locations.done <= e.locations.total)).toBe(true);
    expect(events.at(-1)).toEqual({ stage: 'assembling' });

    const out = join(work, 'out');
    const writes: Array<{ format: string } & WriteProgress> = [];
    let preparing = 0;
    const files = await publishReports(REPORTERS, report, out, {}, undefined, {
      onPreparing: () => preparing++,
      onProgress: (format, progress) => writes.push({ format, ...progress }),
    });
    expect(preparing).toBe(1);
    const last = (file: string) => writes.filter((w) => w.file === file).at(-1);
    // Each streamed file says its size as it is complete; the CSVs are the csv reporter's.
    for (const file of ['findings.json', 'findings.csv', 'occurrences.csv', 'routes.csv', 'findings.sarif']) {
      expect(last(file), file).toMatchObject({ done: statSync(join(out, file)).size, unit: 'bytes' });
    }
    expect(last('routes.csv')!.format).toBe('csv');
    // Before its first bytes, routes.csv says it is matching the failing occurrences to their routes.
    const routesCsv = writes.filter((w) => w.file === 'routes.csv');
    expect(routesCsv[0]).toMatchObject({ done: 0, unit: 'occurrences' });
    expect(routesCsv.findIndex((w) => w.unit === 'bytes')).toBeGreaterThan(0);
    // Each PDF counts its pages as they are added, from the first (named as the document starts) to its last.
    const pdf = writes.filter((w) => w.file === 'no-nordlys/report.pdf');
    expect(pdf.map((w) => w.done)).toEqual(pdf.map((_, i) => i + 1));
    const pages = readFileSync(join(out, 'no-nordlys', 'report.pdf'), 'latin1').match(/\/Type \/Page\b/g)!.length;
    expect(pdf.at(-1)).toMatchObject({ done: pages, unit: 'pages', format: 'pdf' });
    // The operator's workbook (its 2,100 routes on Routes) counts rows as it goes.
    const rows = writes.filter((w) => w.file === 'no-nordlys/findings.xlsx');
    expect(rows.at(-1)!.done).toBeGreaterThan(2_100);
    expect(rows.every((w) => w.unit === 'rows' && w.format === 'xlsx')).toBe(true);
    expect(files.length).toBeGreaterThan(10);
  });

  it('countText() writes thousands separators whatever the locale', () => {
    expect([countText(0), countText(999), countText(1000), countText(1_048_576)]).toEqual([
      '0',
      '999',
      '1,000',
      '1,048,576',
    ]);
  });
});

describe('the list of failures at the end of a run', () => {
  it('puts the most severe first and gives one line per cause with the count of its other occurrences', () => {
    const result = audit(['inputs/kr-hanbit'], { ...REGULATOR, failOn: 'high' });
    const failing = result.findings.filter((f) => f.status === 'fail');
    const high = failing.find((f) => f.severity === 'high')!;
    const critical = failing.find((f) => f.severity === 'critical')!;
    const cause: Finding = {
      ...critical,
      occurrences: [
        { subject: critical.subject, location: critical.location, fingerprint: critical.fingerprint },
        ...[1, 2, 3].map((i) => ({
          subject: `RoutingTable/rt#r-${i}`,
          location: critical.location,
          fingerprint: `f${i}`,
        })),
      ],
    };
    const lines: string[] = [];
    const log = console.log;
    console.log = (text: string) => void lines.push(text);
    try {
      printSummary({ ...result, findings: [high, cause] }, [], false);
    } finally {
      console.log = log;
    }
    const listed = lines.join('\n').split('\n');
    const first = listed.findIndex((l) => l.startsWith(`  ${critical.control} critical`));
    const second = listed.findIndex((l) => l.startsWith(`  ${high.control} high`));
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
    expect(listed[first]).toContain(`${critical.subject} and 3 more with the same cause`);
  });
});
