import type { Finding } from '../model/finding.js';
import type { BaselineComparison } from '../model/report.js';
import { byKeys } from '../model/order.js';

/** What a previous run's findings.json must provide for a comparison. */
export interface PreviousFindings {
  auditDate: string;
  findings: Array<Pick<Finding, 'control' | 'operator' | 'subject' | 'status' | 'fingerprint' | 'severity' | 'title'>>;
}

const PROBLEM = new Set(['fail', 'not-evidenced', 'error']);

/**
 * Marks each finding against the previous run by its stable fingerprint (control + operator + subject):
 * `new` (no previous finding), `unchanged` (same status), `resolved` (was a problem, now passes, is waived or
 * no longer applies), `changed` (any other status change). Previous problems whose subject disappeared are
 * listed as resolved too, so nothing fixed silently drops out of the comparison.
 */
export function compareWithBaseline(findings: Finding[], previous: PreviousFindings, source: string, countedSubjects: ReadonlySet<string> = new Set()): BaselineComparison {
  const before = new Map(previous.findings.map((f) => [f.fingerprint, f]));
  const counts = { new: 0, unchanged: 0, changed: 0, resolved: 0 };
  const seen = new Set<string>();
  for (const finding of findings) {
    const old = before.get(finding.fingerprint);
    seen.add(finding.fingerprint);
    let state: NonNullable<Finding['baseline']>['state'];
    if (!old) state = 'new';
    else if (old.status === finding.status) state = 'unchanged';
    else if (PROBLEM.has(old.status) && !PROBLEM.has(finding.status)) state = 'resolved';
    else state = 'changed';
    counts[state]++;
    finding.baseline = old ? { state, previousStatus: old.status } : { state };
  }
  // A previous problem with no listed finding now either passes among the counted route findings of a
  // large table (resolved, its subject still exists) or lost its subject (removed).
  const unlisted = previous.findings.filter((f) => !seen.has(f.fingerprint) && PROBLEM.has(f.status));
  const countedNow = unlisted.filter((f) => countedSubjects.has(`${f.operator}\u0000${f.subject}`));
  counts.resolved += countedNow.length;
  const gone = unlisted
    .filter((f) => !countedSubjects.has(`${f.operator}\u0000${f.subject}`))
    .map((f) => ({ control: f.control, title: f.title, severity: f.severity, operator: f.operator, subject: f.subject, previousStatus: f.status, fingerprint: f.fingerprint }))
    .sort(byKeys((f) => f.operator, (f) => f.control, (f) => f.subject));
  counts.resolved += gone.length;
  return { source, previousAuditDate: previous.auditDate, counts, removed: gone };
}
