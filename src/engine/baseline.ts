import type { BaselineState, Finding, FindingBaseline, Occurrence, OccurrenceBaseline } from '../model/finding.js';
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

/**
 * The previous findings one subject at a time: a previous AuditResult's findings passed in-process carry
 * their occurrences (the --baseline reader has already flattened a findings.json, see load/baseline.ts),
 * and each occurrence is compared with the same subject's now, its evidence being the cause's with its own.
 */
export function previousBySubject(findings: readonly PreviousFinding[]): PreviousFinding[] {
  return findings.flatMap((f) => {
    if (!f.occurrences) return [f];
    const { occurrences, ...cause } = f;
    return occurrences.map((o) => ({
      ...cause,
      subject: o.subject,
      fingerprint: o.fingerprint,
      cause: f.fingerprint,
      ...(cause.evidence !== undefined && o.evidence ? { evidence: { ...cause.evidence, ...o.evidence } } : {}),
    }));
  });
}

/**
 * The subjects that were problems in the previous run, by operator and control: a large table that counts
 * its passing routes lists these all the same, so a route fixed since is a finding of its own (resolved,
 * and SARIF's `absent` result at it) rather than one more in a count. Worked out once for all operators.
 */
export function previousProblems(previous: PreviousFindings | undefined): Map<string, Record<string, string[]>> {
  const byOperator = new Map<string, Record<string, string[]>>();
  if (!previous) return byOperator;
  for (const f of previous.findings) {
    if (!PROBLEM_STATUSES.has(f.status)) continue;
    let byControl = byOperator.get(f.operator);
    if (!byControl) byOperator.set(f.operator, (byControl = {}));
    const subjects = (byControl[f.control] ??= []);
    if (f.occurrences) for (const o of f.occurrences) subjects.push(o.subject);
    else subjects.push(f.subject);
  }
  return byOperator;
}

/**
 * What a finding says of one occurrence, as a digest: its message and its full evidence (the cause's,
 * with the occurrence's own), so the same subject saying the same reads `unchanged` however it was grouped.
 */
function occurrenceDigest(finding: Finding, occurrence: Occurrence, causeDigest: () => string): string {
  return occurrence.evidence
    ? findingDigest({ message: finding.message, evidence: { ...finding.evidence, ...occurrence.evidence } })
    : causeDigest();
}

/**
 * A cause's baseline from its occurrences': the first occurrence's state and previous status (as the
 * finding's subject is the first occurrence's), and how many occurrences are in each state.
 */
export function causeBaseline(occurrences: readonly OccurrenceBaseline[], lost = 0): FindingBaseline {
  const counts: Partial<Record<BaselineState, number>> = {};
  for (const o of occurrences) counts[o.state] = (counts[o.state] ?? 0) + 1;
  return { ...occurrences[0], counts, ...(lost > 0 ? { lost } : {}) };
}

/** Zero for every state. */
export function emptyBaselineCounts(): Record<BaselineState, number> {
  return Object.fromEntries(BASELINE_STATES.map((s) => [s, 0])) as Record<BaselineState, number>;
}

/**
 * Marks each occurrence against the previous run by its stable fingerprint (control + operator +
 * subject), and each finding with the summary of its occurrences (causeBaseline): `new` (no previous
 * finding), `regressed` (its status got worse, by STATUS_BADNESS), `improved` (better, but still a
 * problem, or no longer waived), `resolved` (was a problem, now passes, is waived or no longer applies),
 * `changed` (as bad as before, but another status or other figures: message or evidence differ),
 * `unchanged`. Previous problems whose subject disappeared are listed as resolved too, so nothing fixed
 * silently drops out of the comparison. Counts are per occurrence (per subject), as before grouping.
 */
export function compareWithBaseline(
  findings: Finding[],
  previous: PreviousFindings,
  source: string,
  countedSubjects: ReadonlySet<string> = new Set(),
): BaselineComparison {
  const earlier = previousBySubject(previous.findings);
  const before = new Map(earlier.map((f) => [f.fingerprint, f]));
  // How many subjects each previous cause had: a cause that continues one (same status, shared
  // subjects) and holds fewer of them lost the others.
  const causeSizes = new Map<string, number>();
  for (const f of earlier) if (f.cause !== undefined) causeSizes.set(f.cause, (causeSizes.get(f.cause) ?? 0) + 1);
  const counts = emptyBaselineCounts();
  const seen = new Set<string>();
  for (const finding of findings) {
    let digest: string | undefined;
    const causeDigest = () => (digest ??= findingDigest(finding));
    const kept = new Map<string, number>();
    for (const occurrence of finding.occurrences) {
      const old = before.get(occurrence.fingerprint);
      seen.add(occurrence.fingerprint);
      if (old?.cause !== undefined && old.status === finding.status)
        kept.set(old.cause, (kept.get(old.cause) ?? 0) + 1);
      const state = baselineStateOf(finding.status, old?.status, () => {
        const was = previousDigest(old!);
        return was === undefined || was === occurrenceDigest(finding, occurrence, causeDigest);
      });
      counts[state]++;
      occurrence.baseline = old ? { state, previousStatus: old.status } : { state };
    }
    let lost = 0;
    // Every kept cause was counted in causeSizes: both come from the same previous subjects.
    for (const [cause, n] of kept) lost += causeSizes.get(cause)! - n;
    finding.baseline = causeBaseline(
      finding.occurrences.map((o) => o.baseline!),
      lost,
    );
  }
  // A previous problem with no listed finding now either passes among the counted route findings of a
  // large table (resolved, its subject still exists) or lost its subject (removed).
  const unlisted = earlier.filter((f) => !seen.has(f.fingerprint) && PROBLEM_STATUSES.has(f.status));
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
