import { describe, expect, it } from 'vitest';
import { loadText } from '../src/load/index.js';
import { buildWorld } from '../src/enrich/world.js';
import { checkConsistency } from '../src/enrich/consistency.js';
import { formatDiagnostic, type Diagnostic } from '../src/model/types.js';

// Issue 14, item 16: documents each schema accepted although together (or on a calendar) they cannot be
// right. Each case reproduced the acceptance before the fix.

const OPERATOR = `apiVersion: ixaudit/v1
kind: Operator
metadata: {id: op-jp}
spec:
  country: JP
  networks: [gsm]
`;

function table(
  id: string,
  protocol: string,
  routes: Array<{ share?: number; status?: string }>,
  exportedAt = '2026-06-30T23:00:00Z',
): string {
  return `apiVersion: ixaudit/v1
kind: RoutingTable
metadata: {id: ${id}, operator: op-jp}
spec:
  protocol: ${protocol}
  exportedAt: ${exportedAt}
  routes:
${routes
  .map(
    (r, i) =>
      `    - id: r-${i + 1}\n      match: {gtPrefix: "49${i}"}\n      destination: {country: DE}\n      primary: {carrier: clean-de}\n${r.share === undefined ? '' : `      trafficShare: ${r.share}\n`}      status: ${r.status ?? 'active'}\n`,
  )
  .join('')}`;
}

/** Loads each text as its own file (a.yaml, b.yaml, ...), builds the world and checks it. */
function consistency(...texts: string[]): { loadErrors: string[]; diagnostics: Diagnostic[] } {
  const loaded = texts.map((text, i) => loadText(`${String.fromCharCode(97 + i)}.yaml`, text));
  const documents = loaded.flatMap((l) => l.documents);
  for (const doc of documents) doc.origin = 'submission';
  const { world } = buildWorld([], documents);
  return {
    loadErrors: loaded.flatMap((l) => l.diagnostics.map(formatDiagnostic)),
    diagnostics: checkConsistency(world),
  };
}

describe('checkConsistency: traffic shares', () => {
  it('reports active routes of one protocol carrying 180 % across two tables, at the route that crosses 100 %', () => {
    const { loadErrors, diagnostics } = consistency(
      OPERATOR,
      table('rt-a', 'ss7', [{ share: 60 }, { share: 30 }]),
      table('rt-b', 'ss7', [{ share: 50 }, { share: 40 }]),
    );
    expect(loadErrors).toEqual([]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'schema', operator: 'op-jp', file: 'c.yaml' });
    // rt-b's first route (line 12) takes 90 % to 140 %.
    expect(formatDiagnostic(diagnostics[0])).toBe(
      "c.yaml:12:21: active routes of protocol ss7 carry 180 % of its traffic in all (tables rt-a, rt-b; this route's share takes the total over 100 %): trafficShare is a share of the protocol's traffic and cannot exceed 100 % in total",
    );
  });

  it('reports an over-full protocol inside one table, and once per protocol', () => {
    const { diagnostics } = consistency(
      OPERATOR,
      table('rt-ss7', 'ss7', [{ share: 90 }, { share: 90 }, { share: 90 }]),
      table('rt-dia', 'diameter', [{ share: 70 }, { share: 40 }]),
    );
    // Located at each table's second route (line 18), whose share takes its protocol over 100 %.
    expect(diagnostics.map((d) => [d.file, d.line, d.message.split(' of its')[0]])).toEqual([
      ['b.yaml', 18, 'active routes of protocol ss7 carry 270 %'],
      ['c.yaml', 18, 'active routes of protocol diameter carry 110 %'],
    ]);
    expect(diagnostics[0].message).toContain('(table rt-ss7;');
  });

  it('counts only active routes, keeps protocols and operators apart, and allows rounding of written shares', () => {
    const other = OPERATOR.replace('op-jp', 'op-kr');
    const { loadErrors, diagnostics } = consistency(
      OPERATOR,
      other,
      // 100 % active; the standby and disabled routes would carry the traffic only when the active ones do not.
      table('rt-ss7', 'ss7', [
        { share: 60 },
        { share: 40 },
        { share: 60, status: 'standby' },
        { share: 90, status: 'disabled' },
      ]),
      table('rt-gtp', 'gtp', [{ share: 100 }]),
      // Three thirds written rounded up: 100.000002 %, and 34 + 34 + 33 = 101 %: rounding, not an error.
      table('rt-dia', 'diameter', [{ share: 33.333334 }, { share: 33.333334 }, { share: 33.333334 }]),
      table('rt-n32', 'n32', [{ share: 34 }, { share: 34 }, { share: 33 }]),
      table('rt-kr', 'ss7', [{ share: 100 }]).replace('operator: op-jp', 'operator: op-kr'),
      table('rt-none', 'sms', [{}, {}]),
    );
    expect(loadErrors).toEqual([]);
    expect(diagnostics).toEqual([]);
  });

  it('does not take a 102 % total of whole numbers for rounding', () => {
    const { diagnostics } = consistency(
      OPERATOR,
      table('rt-n32', 'n32', [{ share: 34 }, { share: 34 }, { share: 34 }]),
    );
    expect(diagnostics.map((d) => d.message.slice(0, 48))).toEqual([
      'active routes of protocol n32 carry 102 % of its',
    ]);
  });
});

describe('checkConsistency: dates that contradict each other', () => {
  const agreement = (signed: string, expires: string) => `apiVersion: ixaudit/v1
kind: InterconnectAgreement
metadata: {id: ag-1, operator: op-jp}
spec:
  counterparty: clean-de
  services: [ipx-transit]
  signed: ${signed}
  expires: ${expires}
`;

  it('reports an agreement that expires before it was signed, at its expiry', () => {
    const { loadErrors, diagnostics } = consistency(OPERATOR, agreement('2026-03-01', '2025-03-01'));
    expect(loadErrors).toEqual([]);
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      'b.yaml:8:12: spec.expires: the agreement expires on 2025-03-01, before it was signed on 2026-03-01 (spec.signed): one of the two dates is wrong',
    ]);
    expect(diagnostics[0]).toMatchObject({ code: 'schema', operator: 'op-jp' });
  });

  it('accepts an agreement that expires on or after the day it was signed', () => {
    expect(consistency(OPERATOR, agreement('2026-03-01', '2026-03-01')).diagnostics).toEqual([]);
    expect(consistency(OPERATOR, agreement('2026-03-01', '2029-02-28')).diagnostics).toEqual([]);
  });

  it('reports an assessment period whose from is after its to, at from', () => {
    const withPeriod = (from: string, to: string) => `${OPERATOR}  assessmentPeriod: {from: ${from}, to: ${to}}\n`;
    const { loadErrors, diagnostics } = consistency(withPeriod('2026-06-30', '2026-01-01'));
    expect(loadErrors).toEqual([]);
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      'a.yaml:7:28: spec.assessmentPeriod: the period runs from 2026-06-30 to 2026-01-01, so it ends before it begins: from must be on or before to',
    ]);
    expect(diagnostics[0]).toMatchObject({ code: 'schema', operator: 'op-jp' });
    expect(consistency(withPeriod('2026-01-01', '2026-01-01')).diagnostics).toEqual([]);
  });
});

describe('exportedAt must be a date and time the calendar and the clock have', () => {
  const errorsFor = (exportedAt: string) =>
    loadText('rt.yaml', table('rt-a', 'ss7', [{ share: 10 }], exportedAt)).diagnostics.map(formatDiagnostic);

  it.each([
    '2026-99-99T99:99:99Z',
    '0000-00-00',
    '2026-02-31T10:00:00Z',
    '2026-02-29',
    '1900-02-29T00:00:00Z',
    '2026-04-31',
    '2026-06-30T24:00:00Z',
    '2026-06-30T23:60:00Z',
    '2026-06-30T23:00:00+25:00',
    '0000-01-01',
  ])('rejects %s with a located schema error', (value) => {
    expect(errorsFor(value)).toEqual([
      `rt.yaml:6:15: spec.exportedAt: expected an ISO 8601 date or date-time that the calendar and the clock have, such as 2026-06-30T23:00:00Z, found the text "${value}"`,
    ]);
  });

  it.each([
    '2026-06-30',
    '2026-06-30T23:00:00Z',
    '2026-06-30 23:00',
    '2026-04-03T08:00:00+09:00',
    '2026-04-03T08:00:00-0530',
    '2026-06-30T23:59:59.999Z',
    '2024-02-29T12:00:00Z',
    '2000-02-29',
  ])('accepts %s', (value) => {
    expect(errorsFor(value)).toEqual([]);
  });
});
