/**
 * A national SS7 routing table of no-nordlys (the samples' Norwegian operator) with `routes` routes:
 * every third unencrypted, so a few causes fail among many counted passes. Written beside the samples
 * as inputs/no-nordlys/routing-national.yaml.
 */
export function nationalTable(routes: number): string {
  const lines = [
    'apiVersion: ixaudit/v1',
    'kind: RoutingTable',
    'metadata: {id: rt-no-national, operator: no-nordlys, name: national SS7 export}',
    'spec:',
    '  protocol: ss7',
    '  exportedAt: 2026-06-20T22:00:00Z',
    '  source: stp-gtt-export',
    '  routes:',
  ];
  for (let i = 0; i < routes; i++) {
    const primary = i % 2 === 0 ? 'aurora-ipx' : 'fjord-carrier';
    lines.push(
      `    - id: r-${String(i).padStart(5, '0')}`,
      `      match: {gtPrefix: "47${String(i).padStart(5, '0')}"}`,
      '      destination: {country: NO}',
      `      primary: {carrier: ${primary}}`,
      `      encryption: ${i % 3 === 0 ? 'none' : 'ipsec'}`,
      '      firewall: fw-no-edge',
      '      status: active',
    );
  }
  return `${lines.join('\n')}\n`;
}
