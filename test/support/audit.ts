import { readFileSync } from 'node:fs';
import { runAudit, type AuditOptions } from '../../src/audit/run-audit.js';
import { causeBaseline } from '../../src/engine/baseline.js';
import type { Finding } from '../../src/model/finding.js';
import type { AuditReport, AuditResult } from '../../src/model/report.js';

/** Runs the whole pipeline on files, with a fixed "today" so nothing depends on the clock. */
export function audit(paths: string[], options: Partial<AuditOptions> = {}): AuditResult {
  return auditReport(paths, options).result;
}

/** The findings and the inventory, as reporters receive them. */
export function auditReport(paths: string[], options: Partial<AuditOptions> = {}): AuditReport {
  return runAudit({ paths, today: '2026-07-01', ...options });
}

export interface Expectation {
  status: string;
  subject: string;
  line: number;
}

/** `# expect: <status> <subject>` comments: the finding must point at the comment's own line. */
export function expectationsIn(file: string): Expectation[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((text, i) => {
      const match = /# expect: (\S+) (\S+)\s*$/.exec(text);
      return match ? [{ status: match[1], subject: match[2], line: i + 1 }] : [];
    });
}

/**
 * The samples as if compared with an earlier audit: three of jp-sakura's failures are new (the first
 * occurrence of each of its first three failing causes, so three whether counted by finding or by
 * occurrence), the rest unchanged, and one kr-hanbit failure was removed since. For the reports that
 * show changes.
 */
export function withBaseline(report: AuditReport): AuditReport {
  let n = 0;
  report.result.findings = report.result.findings.map((f): Finding => {
    const isNew = f.operator === 'jp-sakura' && f.status === 'fail' && n++ < 3;
    const occurrences = f.occurrences.map((o, i) => ({
      ...o,
      baseline: { state: isNew && i === 0 ? ('new' as const) : ('unchanged' as const) },
    }));
    return { ...f, occurrences, baseline: causeBaseline(occurrences.map((o) => o.baseline)) };
  });
  const occurrences = report.result.findings.reduce((sum, f) => sum + f.occurrences.length, 0);
  report.result.baseline = {
    source: 'previous-out',
    previousAuditDate: '2026-01-01',
    counts: {
      new: 3,
      regressed: 0,
      improved: 0,
      unchanged: occurrences - 3,
      changed: 0,
      resolved: 1,
    },
    removed: [
      {
        control: 'ICX-RT-02',
        title: 'No failover to a high-risk carrier',
        severity: 'high',
        operator: 'kr-hanbit',
        subject: 'RoutingTable/rt-kr-ss7#r-gone',
        previousStatus: 'fail',
        fingerprint: '0'.repeat(32),
      },
    ],
  };
  return report;
}
