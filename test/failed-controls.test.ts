import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/model/finding.js';
import type { InventoryRoute } from '../src/model/report.js';
import { progressEvery } from '../src/model/progress.js';
import { failedControlsLookup } from '../src/report/view/operator.js';

// routes.csv and every Routes sheet give each route the controls it fails. The lookup keeps them as bits
// of one number per route, by the route's position in the inventory (a million lists made the 1M-route
// CSV write spend 10 s in it); an operator failing more controls than the bits hold keeps lists for the rest.

function finding(operator: string, control: string, status: Finding['status'], subjects: string[]): Finding {
  const at = { file: 'f.yaml', line: 1, column: 1 };
  return {
    control,
    title: control,
    family: 'RT',
    severity: 'high',
    status,
    operator,
    subject: subjects[0],
    location: at,
    message: '',
    evidence: {},
    remediation: '',
    fingerprint: `${control}/${subjects[0]}`,
    occurrences: subjects.map((subject) => ({ subject, location: at, fingerprint: `${control}/${subject}` })),
  } as Finding;
}

describe('the failed controls of a route', () => {
  it('are every failing control of that operator and subject, however many, and no other', () => {
    const controls = Array.from({ length: 40 }, (_, i) => `ICX-X-${String(i).padStart(2, '0')}`);
    const findings = [
      ...controls.map((c, i) => finding('jp-a', c, 'fail', i % 2 === 0 ? ['r1', 'r2'] : ['r1'])),
      finding('jp-a', 'ICX-P-01', 'pass', ['r1', 'r3']),
      finding('jp-a', 'ICX-W-01', 'waived', ['r3']),
      finding('kr-b', 'ICX-X-00', 'fail', ['r3']),
    ];
    const routes = [
      ['jp-a', 'r1'],
      ['jp-a', 'r2'],
      ['jp-a', 'r3'],
      ['kr-b', 'r1'],
      ['kr-b', 'r3'],
    ].map(([operator, ref]) => ({ operator, ref }) as InventoryRoute);
    const failed = failedControlsLookup(findings, routes);
    expect([...failed('jp-a', 'r1')].sort()).toEqual(controls);
    expect([...failed('jp-a', 'r2')].sort()).toEqual(controls.filter((_, i) => i % 2 === 0));
    expect(failed('jp-a', 'r3')).toEqual([]);
    expect(failed('kr-b', 'r3')).toEqual(['ICX-X-00']);
    expect(failed('kr-b', 'r1')).toEqual([]);
    expect(failed('no-c', 'r1')).toEqual([]);
  });

  it('says how many failing occurrences it has matched to their routes, from 0, every progressEvery.items', () => {
    const findings = [
      finding('jp-a', 'ICX-X-01', 'fail', ['r1', 'r2', 'r3']),
      finding('jp-a', 'ICX-P-01', 'pass', ['r1', 'r2', 'r3']),
      finding('jp-a', 'ICX-X-02', 'fail', ['r1', 'r2']),
    ];
    const routes = ['r1', 'r2', 'r3'].map((ref) => ({ operator: 'jp-a', ref }) as InventoryRoute);
    const every = progressEvery.items;
    progressEvery.items = 2;
    const heard: number[] = [];
    try {
      failedControlsLookup(findings, routes, (done) => heard.push(done));
    } finally {
      progressEvery.items = every;
    }
    // Five failing occurrences: the passing finding's three are not matched.
    expect(heard).toEqual([0, 2, 4]);
  });
});
