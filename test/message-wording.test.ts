import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { audit } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { findingOf } from './support/findings.js';

const BASE = 'test/controls/_base.yaml';

/** ICX-RT-09's message on a table exported at `exportedAt`, audited on 2026-07-01. */
function exportMessage(exportedAt: string): string {
  const dir = tempFiles({
    'rt.yaml': `apiVersion: ixaudit/v1
kind: RoutingTable
metadata: {id: rt, operator: op-jp}
spec:
  protocol: ss7
  exportedAt: ${exportedAt}
  routes:
    - {id: r-1, match: {gtPrefix: "49"}, destination: {country: DE}, primary: {carrier: clean-de}, status: active}
`,
  });
  const result = audit([BASE, join(dir, 'rt.yaml')], { date: '2026-07-01' });
  const found = findingOf(result.findings, 'ICX-RT-09', 'RoutingTable/rt');
  if (!found) throw new Error('no ICX-RT-09 finding');
  return found.message;
}

describe("a control's message reads as English", () => {
  // A newcomer's report: ICX-RT-09 said "1 days before the audit date".
  it('ICX-RT-09 gives one day as "1 day", before or after the audit date, and others as days', () => {
    expect(exportMessage('2026-06-30T12:00:00Z')).toContain('1 day before the audit date');
    expect(exportMessage('2026-07-02T12:00:00Z')).toContain('1 day after the audit date');
    expect(exportMessage('2026-06-29T12:00:00Z')).toContain('2 days before the audit date');
    expect(exportMessage('2026-07-01T12:00:00Z')).toContain('0 days before the audit date');
  });
});
