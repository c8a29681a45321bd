import { describe, expect, it } from 'vitest';
import { count, printSummary, type ProgressEvent, progressReporter } from '../src/cli/summary.js';
import type { Finding } from '../src/model/finding.js';
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
