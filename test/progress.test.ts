import { describe, expect, it } from 'vitest';
import { count, printSummary, type ProgressEvent, progressReporter } from '../src/cli/summary.js';
import type { Finding } from '../src/model/finding.js';
import { runAuditParallel } from '../src/audit/parallel.js';
import { audit } from './support/audit.js';
import { REGULATOR } from './support/run.js';

// Issue 15: "A 50,000-route audit leaves the terminal blank for about 65 s of its 80 s." Every stage now
// says what it is doing; on a terminal one line is rewritten in place, in a log one line per step.

function capture(isTTY: boolean): { written: string[]; report: (e: ProgressEvent) => void } {
  const written: string[] = [];
  const stream = { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  return { written, report: progressReporter(stream, false) };
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

  it('inside a long stage: a step is shown once a second has passed without a line, not each of thousands', () => {
    const written: string[] = [];
    const stream = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
    let clock = 0;
    const report = progressReporter(stream, false, () => clock);
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
    expect(written).toEqual([
      'loading and validating the inputs…\n',
      'reading inputs/national.yaml (2/2)…\n',
      'loaded 1,000,000 route(s); auditing 1 operator(s)…\n',
      // 100 ms a control: the 10th after "loaded" is the first a second later, then every 10th.
      'auditing jp-a: control 10/41 (ICX-X-9)…\n',
      'auditing jp-a: control 20/41 (ICX-X-19)…\n',
      'auditing jp-a: control 30/41 (ICX-X-29)…\n',
      'auditing jp-a: control 40/41 (ICX-X-39)…\n',
    ]);
  });

  it('the audit reports each file read and each control evaluated, from worker threads too', async () => {
    for (const jobs of [1, 2]) {
      const events: ProgressEvent[] = [];
      await runAuditParallel({ paths: ['inputs'], today: '2026-07-01', ...REGULATOR }, jobs, (e) => events.push(e));
      const reading = events.filter((e) => e.stage === 'reading');
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

  it('count() writes thousands separators whatever the locale', () => {
    expect([count(0), count(999), count(1000), count(1_048_576)]).toEqual(['0', '999', '1,000', '1,048,576']);
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
