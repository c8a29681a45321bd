import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingOf } from './support/findings.js';
import { audit } from './support/audit.js';
import { tempFiles } from './support/files.js';

const BASE = 'test/controls/_base.yaml';
const TABLE = `apiVersion: ixaudit/v1
kind: RoutingTable
metadata: {id: rt, operator: op-jp}
spec:
  protocol: ss7
  routes:
    - id: r-hk
      match: {gtPrefix: "852"}
      destination: {country: HK}
      primary: {carrier: risky-hub}
      status: active
`;

function waiver(id: string, expires: string, targets = '["RoutingTable/rt#r-hk"]', control = 'ICX-RT-01'): string {
  return `---
apiVersion: ixaudit/v1
kind: Waiver
metadata: {id: ${id}, operator: op-jp}
spec:
  control: ${control}
  targets: ${targets}
  justification: Legacy partner; migration contracted.
  compensatingControls: [ICX-FW-01]
  approvedBy: Interconnect Security Office
  ticket: SEC-1
  expires: ${expires}
`;
}

/** The table as the operator's submission, the waivers as the auditor grants them (--waivers). */
function run(...waivers: string[]) {
  const dir = tempFiles({ 'sub.yaml': TABLE, 'waivers.yaml': waivers.join('') });
  return audit([BASE, join(dir, 'sub.yaml')], {
    profileFiles: ['test/controls/_profile.yaml'],
    waiverPaths: [join(dir, 'waivers.yaml')],
  });
}

const rt01 = (result: ReturnType<typeof run>) => findingOf(result.findings, 'ICX-RT-01', 'RoutingTable/rt#r-hk')!;

describe('waivers', () => {
  it('a valid waiver turns the failure into waived and says so', () => {
    const result = run(waiver('w-ok', '2026-12-31'));
    expect(rt01(result)).toMatchObject({
      status: 'waived',
      waiver: { id: 'w-ok', status: 'applied', expires: '2026-12-31' },
    });
    expect(result.waivers).toMatchObject([{ id: 'w-ok', status: 'applied', matched: ['RoutingTable/rt#r-hk'] }]);
  });

  it('a waiver expiring on the audit date still applies', () => {
    expect(rt01(run(waiver('w-today', '2026-07-01'))).status).toBe('waived');
  });

  it('a waiver that expired the day before the audit date does not apply: the finding stays failed', () => {
    const result = run(waiver('w-old', '2026-06-30'));
    expect(rt01(result)).toMatchObject({ status: 'fail', waiver: { id: 'w-old', status: 'expired' } });
    expect(result.waivers[0]).toMatchObject({
      id: 'w-old',
      status: 'expired',
      message: expect.stringContaining('2026-06-30'),
    });
  });

  it('a waiver that matches nothing is reported at its targets', () => {
    const result = run(waiver('w-ghost', '2026-12-31', '["RoutingTable/rt#r-nope"]'));
    expect(result.waivers).toMatchObject([{ id: 'w-ghost', status: 'unmatched', matched: [] }]);
    expect(result.waivers[0].location.line).toBe(7); // its spec.targets line in the auditor's waivers file
    expect(rt01(result).status).toBe('fail');
  });

  it('a waiver for a control the catalog lacks is unmatched and says why', () => {
    const result = run(waiver('w-typo', '2026-12-31', '["RoutingTable/rt#r-hk"]', 'ICX-RT-99'));
    expect(result.waivers[0]).toMatchObject({
      status: 'unmatched',
      message: expect.stringContaining('no control ICX-RT-99'),
    });
  });

  it('a waiver covering only passing findings is reported as not needed', () => {
    const result = run(waiver('w-pass', '2026-12-31', '["RoutingTable/rt#r-hk"]', 'ICX-RT-06'));
    expect(result.waivers[0].status).toBe('not-needed');
  });

  it('a waiver on a passing route is not needed also where passing routes are counted, not listed', () => {
    // Review found it "unmatched" (Matches nothing) in a table above listRouteFindingsUpTo routes, and
    // "not-needed" in the same run with --list-all: the waived route had been counted before waivers ran.
    const twoRoutes = `${TABLE}    - id: r-hk2\n      match: {gtPrefix: "8522"}\n      destination: {country: HK}\n      primary: {carrier: risky-hub}\n      status: active\n`;
    const dir = tempFiles({
      'sub.yaml': twoRoutes,
      'waivers.yaml': waiver('w-pass', '2026-12-31', '["RoutingTable/rt#r-hk"]', 'ICX-RT-06'),
    });
    const counted = audit([BASE, join(dir, 'sub.yaml')], {
      profileFiles: ['test/controls/_profile.yaml'],
      waiverPaths: [join(dir, 'waivers.yaml')],
      listRouteFindingsUpTo: 0,
    });
    expect(counted.waivers).toMatchObject([{ id: 'w-pass', status: 'not-needed', matched: ['RoutingTable/rt#r-hk'] }]);
    // The waived route is listed; the other route is still counted, and nothing is counted twice.
    expect(findingOf(counted.findings, 'ICX-RT-06', 'RoutingTable/rt#r-hk')).toMatchObject({
      status: 'not-applicable',
    });
    expect(findingOf(counted.findings, 'ICX-RT-06', 'RoutingTable/rt#r-hk2')).toBeUndefined();
    expect(counted.summarised).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          control: 'ICX-RT-06',
          status: 'not-applicable',
          count: 1,
          examples: ['RoutingTable/rt#r-hk2'],
        }),
      ]),
    );
  });
});
