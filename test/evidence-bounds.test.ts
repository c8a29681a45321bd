import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVIDENCE_ROUTES } from '../src/engine/aggregates.js';
import { audit } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { REGULATOR } from './support/run.js';

// Issue 15: ICX-RT-04 listed every route touching a high-risk carrier in one finding's evidence (about
// 163 bytes a route), so findings.json grew with routes, not causes. It now names the largest shares.

function ss7Table(routes: number): string {
  const lines = [
    'apiVersion: ixaudit/v1',
    'kind: RoutingTable',
    'metadata: {id: rt-jp-national, operator: jp-sakura, name: national SS7 export}',
    'spec:',
    '  protocol: ss7',
    '  exportedAt: 2026-06-20T22:00:00Z',
    '  source: stp-gtt-export',
    '  routes:',
  ];
  for (let i = 0; i < routes; i++)
    lines.push(
      `    - id: r-${String(i).padStart(5, '0')}`,
      `      match: {gtPrefix: "4477${String(i).padStart(5, '0')}"}`,
      '      destination: {country: GB}',
      '      primary: {carrier: cmi}',
      // Shares that rise with the index (the largest are last in the table); every fifth route has none.
      ...(i % 5 === 4 ? [] : [`      trafficShare: ${(i + 1) / 10_000}`]),
      '      encryption: none',
      '      status: active',
    );
  return `${lines.join('\n')}\n`;
}

describe('ICX-RT-04 evidence is bounded at national scale', () => {
  const work = tempFiles({});
  cpSync('inputs/jp-sakura', join(work, 'jp-sakura'), { recursive: true });
  writeFileSync(join(work, 'jp-sakura', 'routing-national.yaml'), ss7Table(600));
  const result = audit([work], REGULATOR);
  const rt04 = result.findings.find((f) => f.control === 'ICX-RT-04' && f.evidence.protocol === 'ss7')!;

  it('names the 100 routes with the largest shares, largest first, and counts all of them', () => {
    const { routes, routesTouching } = rt04.evidence as {
      routes: Array<{ route: string; share: number | null }>;
      routesTouching: number;
    };
    expect(routes).toHaveLength(EVIDENCE_ROUTES);
    expect(routesTouching).toBeGreaterThanOrEqual(600);
    // The sample table's own routes (shares of several %) come first; of the national table, its largest.
    const names = routes.map((r) => r.route);
    expect(names).toContain('RoutingTable/rt-jp-national#r-00598');
    expect(names).not.toContain('RoutingTable/rt-jp-national#r-00000');
    const shares = routes.map((r) => r.share ?? -1);
    expect(shares).toEqual([...shares].sort((a, b) => b - a));
  });

  it('lists the first 100 routes without a share and says how many there are', () => {
    const { routesMissingShare, routesMissingShareCount } = rt04.evidence as {
      routesMissingShare: string[];
      routesMissingShareCount: number;
    };
    expect(routesMissingShare).toHaveLength(EVIDENCE_ROUTES);
    expect(routesMissingShare[0]).toBe('RoutingTable/rt-jp-national#r-00004');
    expect(routesMissingShareCount).toBe(120);
  });
});
