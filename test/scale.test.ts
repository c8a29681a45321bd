import { describe, expect, it } from 'vitest';
import { subjectFindings } from './support/findings.js';
import { audit } from './support/audit.js';
import { REGULATOR } from './support/run.js';

// Large tables take shortcuts: passing route findings are counted, verdicts and details are shared by
// routes of the same shape. None of it may change what a finding says.
describe('counting and shape sharing change nothing that is listed', () => {
  it('gives the same non-passing findings, and the same totals, as a fully listed run', () => {
    const listed = audit(['inputs'], { ...REGULATOR, listRouteFindingsUpTo: Number.POSITIVE_INFINITY });
    const counted = audit(['inputs'], { ...REGULATOR, listRouteFindingsUpTo: 0 });
    expect(counted.summarised?.length).toBeGreaterThan(0);
    const problems = (r: typeof listed) =>
      r.findings.filter((f) => f.status !== 'pass' && f.status !== 'not-applicable');
    expect(problems(counted)).toEqual(problems(listed));
    expect(counted.summary).toEqual(listed.summary);
    const countedPasses = (counted.summarised ?? []).reduce((n, s) => n + s.count, 0);
    // Counted per subject, as the summaries count: a cause's occurrences each.
    expect(subjectFindings(counted.findings).length + countedPasses).toBe(subjectFindings(listed.findings).length);
    // Only route findings are counted: every finding about an agreement, carrier or table stays listed.
    const notRoutes = (r: typeof listed) => subjectFindings(r.findings).filter((f) => !f.subject.includes('#'));
    expect(notRoutes(counted)).toEqual(notRoutes(listed));
  });
});

describe('routes of one shape', () => {
  it('each keep their own subject and line when details are shared', async () => {
    const { tempFiles } = await import('./support/files.js');
    const { join } = await import('node:path');
    const routes = [1, 2, 3]
      .map(
        (i) =>
          `    - id: r-${i}\n      match: {gtPrefix: "85${i}"}\n      destination: {country: HK}\n      primary: {carrier: risky-hub}\n      encryption: none\n      status: active\n`,
      )
      .join('');
    const dir = tempFiles({
      'rt.yaml': `apiVersion: ixaudit/v1\nkind: RoutingTable\nmetadata: {id: rt, operator: op-jp}\nspec:\n  protocol: ss7\n  routes:\n${routes}`,
    });
    const args = ['test/controls/_base.yaml', join(dir, 'rt.yaml')];
    const listed = audit(args, { listRouteFindingsUpTo: Number.POSITIVE_INFINITY });
    const shared = audit(args, { listRouteFindingsUpTo: 0 });
    const rt01 = subjectFindings(shared.findings).filter((f) => f.control === 'ICX-RT-01');
    expect(rt01.map((f) => [f.subject, f.status, f.location.line])).toEqual([
      ['RoutingTable/rt#r-1', 'fail', 10],
      ['RoutingTable/rt#r-2', 'fail', 16],
      ['RoutingTable/rt#r-3', 'fail', 22],
    ]);
    const problems = (r: typeof listed) =>
      r.findings.filter((f) => f.status !== 'pass' && f.status !== 'not-applicable');
    expect(problems(shared)).toEqual(problems(listed));
  });
});

describe('a tailored control that reads what identifies a route', () => {
  it('judges every route on its own instead of sharing the first verdict of its shape', async () => {
    const { tempFiles } = await import('./support/files.js');
    const { cpSync, readFileSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const routes = [1, 2, 3]
      .map(
        (i) =>
          `    - id: r-${i}\n      match: {gtPrefix: "85${i}"}\n      destination: {country: HK}\n      primary: {carrier: risky-hub}\n      encryption: none\n      status: active\n`,
      )
      .join('');
    const dir = tempFiles({
      'rt.yaml': `apiVersion: ixaudit/v1\nkind: RoutingTable\nmetadata: {id: rt, operator: op-jp}\nspec:\n  protocol: ss7\n  routes:\n${routes}`,
    });
    // A regulator's copy of the catalog where RT-01 singles out one route by id.
    const controls = join(dir, 'controls');
    cpSync('controls', controls, { recursive: true });
    const file = join(controls, 'RT', 'ICX-RT-01.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^ {2}pass: .*$/m, `  pass: 'route.id != "r-2"'`));
    const args = ['test/controls/_base.yaml', join(dir, 'rt.yaml')];
    for (const listRouteFindingsUpTo of [0, Number.POSITIVE_INFINITY]) {
      const result = audit(args, { controlsDir: controls, listRouteFindingsUpTo });
      const rt01 = subjectFindings(result.findings).filter((f) => f.control === 'ICX-RT-01');
      const shown = rt01.map((f) => [f.subject, f.status, f.location.line]);
      // Counted runs list only the failure; listed runs list all three, each with its own verdict and
      // located at its own primary carrier (the hop's `at` is relative to the route).
      expect(shown).toEqual(
        listRouteFindingsUpTo === 0
          ? [['RoutingTable/rt#r-2', 'fail', 16]]
          : [
              ['RoutingTable/rt#r-1', 'pass', 10],
              ['RoutingTable/rt#r-2', 'fail', 16],
              ['RoutingTable/rt#r-3', 'pass', 22],
            ],
      );
    }
  });
});

describe('parsed routes', () => {
  it('are released once enriched, before evaluation, and no control or the inventory reads them after', async () => {
    const { prepareAudit, auditAll } = await import('../src/audit/run-audit.js');
    const released: boolean[] = [];
    const prepared = prepareAudit({
      ...REGULATOR,
      paths: ['inputs'],
      today: '2026-07-01',
      onStep: (step) => {
        if (step.stage !== 'evaluating' || step.done !== 0) return;
        const docs = prepared.world.submissions.get(step.operatorId)!;
        for (const table of docs.tables) released.push(throws(() => table.value.spec.routes));
      },
    });
    const outcomes = auditAll(prepared);
    expect(released.length).toBeGreaterThan(0);
    expect(released.every(Boolean)).toBe(true);
    // An audit that read them after would record an internal error (ICX-ENGINE).
    expect(outcomes.flatMap((o) => o.findings).filter((f) => f.control === 'ICX-ENGINE')).toEqual([]);
    expect(outcomes.flatMap((o) => o.inventory.routes).length).toBeGreaterThan(0);
    const tables = [...prepared.world.submissions.values()].flatMap((docs) => docs.tables);
    for (const table of tables) expect(() => table.value.spec.routes).toThrow(/released once its routes were enriched/);
  });
});

function throws(read: () => unknown): boolean {
  try {
    read();
    return false;
  } catch {
    return true;
  }
}
