import type { BaselineState, Finding } from '../model/finding.js';
import { BASELINE_STATES } from '../model/finding.js';
import type { BaselineComparison } from '../model/report.js';
import { findingDigest, type PreviousFinding, type PreviousFindings } from '../model/baseline.js';
import { byKeys } from '../model/order.js';
import type { Status } from '../model/types.js';

/**
 * How bad a status is, worst highest: fail and error, then not-evidenced, then waived (an accepted
 * problem), then pass and not-applicable. The one order every baseline state is decided by.
 */
export const STATUS_BADNESS: Readonly<Record<Status, number>> = {
  fail: 3,
  error: 3,
  'not-evidenced': 2,
  waived: 1,
  pass: 0,
  'not-applicable': 0,
};

/** Statuses that are an open problem: a previous one that is none of these now is `resolved`. */
export const PROBLEM_STATUSES: ReadonlySet<Status> = new Set<Status>(['fail', 'not-evidenced', 'error']);

/** The state a finding takes against its previous one (undefined: there was none). */
export function baselineStateOf(
  current: Status,
  previous: Status | undefined,
  sameFigures: () => boolean,
): BaselineState {
  if (previous === undefined) return 'new';
  const now = STATUS_BADNESS[current];
  const before = STATUS_BADNESS[previous];
  if (now > before) return 'regressed';
  if (now < before) {
    // Better: fixed when an open problem no longer is one; else still a problem (fail → not-evidenced),
    // or only an accepted one that is no longer needed (waived → pass).
    return PROBLEM_STATUSES.has(previous) && !PROBLEM_STATUSES.has(current) ? 'resolved' : 'improved';
  }
  // As bad as before: another status of the same rank (fail ↔ error, pass ↔ not-applicable) or other figures.
  return current === previous && sameFigures() ? 'unchanged' : 'changed';
}

function previousDigest(f: PreviousFinding): string | undefined {
  if (f.digest !== undefined) return f.digest;
  return f.message !== undefined && f.evidence !== undefined
    ? findingDigest({ message: f.message, evidence: f.evidence })
    : undefined;
}

/** Zero for every state. */
export function emptyBaselineCounts(): Record<BaselineState, number> {
  return Object.fromEntries(BASELINE_STATES.map((s) => [s, 0])) as Record<BaselineState, number>;
}

/**
 * Marks each finding against the previous run by its stable fingerprint (control + operator + subject):
 * `new` (no previous finding), `regressed` (its status got worse, by STATUS_BADNESS), `improved` (better,
 * but still a problem, or no longer waived), `resolved` (was a problem, now passes, is waived or no longer
 * applies), `changed` (as bad as before, but another status or other figures: message or evidence
 * differ), `unchanged`. Previous problems whose subject disappeared are listed as resolved too, so
 * nothing fixed silently drops out of the comparison.
 */
export function compareWithBaseline(
  findings: Finding[],
  previous: PreviousFindings,
  source: string,
  countedSubjects: ReadonlySet<string> = new Set(),
): BaselineComparison {
  const before = new Map(previous.findings.map((f) => [f.fingerprint, f]));
  const counts = emptyBaselineCounts();
  const seen = new Set<string>();
  for (const finding of findings) {
    const old = before.get(finding.fingerprint);
    seen.add(finding.fingerprint);
    const state = baselineStateOf(finding.status, old?.status, () => {
      const was = previousDigest(old!);
      return was === undefined || was === findingDigest(finding);
    });
    counts[state]++;
    finding.baseline = old ? { state, previousStatus: old.status } : { state };
  }
  // A previous problem with no listed finding now either passes among the counted route findings of a
  // large table (resolved, its subject still exists) or lost its subject (removed).
  const unlisted = previous.findings.filter((f) => !seen.has(f.fingerprint) && PROBLEM_STATUSES.has(f.status));
  const countedNow = unlisted.filter((f) => countedSubjects.has(`${f.operator}\u0000${f.subject}`));
  counts.resolved += countedNow.length;
  const gone = unlisted
    .filter((f) => !countedSubjects.has(`${f.operator}\u0000${f.subject}`))
    .map((f) => ({
      control: f.control,
      title: f.title,
      severity: f.severity,
      operator: f.operator,
      subject: f.subject,
      previousStatus: f.status,
      fingerprint: f.fingerprint,
    }))
    .sort(
      byKeys(
        (f) => f.operator,
        (f) => f.control,
        (f) => f.subject,
      ),
    );
  counts.resolved += gone.length;
  return { source, previousAuditDate: previous.auditDate, counts, removed: gone };
}
