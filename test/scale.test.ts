import { describe, expect, it } from 'vitest';
import { audit } from './support/audit.js';

// Large tables take shortcuts: passing route findings are counted, verdicts and details are shared by
// routes of the same shape. None of it may change what a finding says.
describe('counting and shape sharing change nothing that is listed', () => {
  it('gives the same non-passing findings, and the same totals, as a fully listed run', () => {
    const listed = audit(['inputs'], { listRouteFindingsUpTo: Number.POSITIVE_INFINITY });
    const counted = audit(['inputs'], { listRouteFindingsUpTo: 0 });
    expect(counted.summarised?.length).toBeGreaterThan(0);
    const problems = (r: typeof listed) => r.findings.filter((f) => f.status !== 'pass' && f.status !== 'not-applicable');
    expect(problems(counted)).toEqual(problems(listed));
    expect(counted.summary).toEqual(listed.summary);
    const countedPasses = (counted.summarised ?? []).reduce((n, s) => n + s.count, 0);
    expect(counted.findings.length + countedPasses).toBe(listed.findings.length);
  });
});

describe('routes of one shape', () => {
  it('each keep their own subject and line when details are shared', async () => {
    const { tempFiles } = await import('./support/files.js');
    const { join } = await import('node:path');
    const routes = [1, 2, 3]
      .map((i) => `    - id: r-${i}\n      match: {gtPrefix: "85${i}"}\n      destination: {country: HK}\n      primary: {carrier: risky-hub}\n      encryption: none\n      status: active\n`)
      .join('');
    const dir = tempFiles({ 'rt.yaml': `apiVersion: ixaudit/v1\nkind: RoutingTable\nmetadata: {id: rt, operator: op-jp}\nspec:\n  protocol: ss7\n  routes:\n${routes}` });
    const args = ['test/controls/_base.yaml', join(dir, 'rt.yaml')];
    const listed = audit(args, { listRouteFindingsUpTo: Number.POSITIVE_INFINITY });
    const shared = audit(args, { listRouteFindingsUpTo: 0 });
    const rt01 = shared.findings.filter((f) => f.control === 'ICX-RT-01');
    expect(rt01.map((f) => [f.subject, f.status, f.location.line])).toEqual([
      ['RoutingTable/rt#r-1', 'fail', 10],
      ['RoutingTable/rt#r-2', 'fail', 16],
      ['RoutingTable/rt#r-3', 'fail', 22],
    ]);
    const problems = (r: typeof listed) => r.findings.filter((f) => f.status !== 'pass' && f.status !== 'not-applicable');
    expect(problems(shared)).toEqual(problems(listed));
  });
});
