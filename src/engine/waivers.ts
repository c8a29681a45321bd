import type { Finding, WaiverOutcome } from '../model/finding.js';
import type { LoadedDocument } from '../model/types.js';

const WAIVABLE = new Set(['fail', 'not-evidenced']);

/**
 * Applies an operator's waivers to its findings (mutating their status) and says what became of each
 * waiver. A waiver counts until the end of its `expires` day: it has expired only when that date is
 * before the audit date. Only the auditor grants exceptions: a waiver from the operator's own submission
 * is a request (`requested`, the findings unchanged) unless `acceptSubmissionWaivers` (an operator
 * assessing itself) says the auditor accepts them.
 */
export function applyWaivers(
  findings: Finding[],
  waivers: LoadedDocument<'Waiver'>[],
  auditDate: string,
  knownControls: Set<string>,
  acceptSubmissionWaivers = false,
): WaiverOutcome[] {
  return waivers.map((doc) => {
    const spec = doc.value.spec;
    const source = doc.origin === 'auditor' ? ('auditor' as const) : ('submission' as const);
    const targets = spec.targets;
    const expired = spec.expires < auditDate;
    const matches = findings.filter((f) => f.control === spec.control && targets.includes(f.subject));
    const outcome = (status: WaiverOutcome['status'], message: string): WaiverOutcome => ({
      id: doc.id,
      operator: doc.operator!,
      control: spec.control,
      status,
      expires: spec.expires,
      targets: [...targets],
      matched: [...new Set(matches.map((f) => f.subject))],
      justification: spec.justification,
      approvedBy: spec.approvedBy,
      ticket: spec.ticket,
      compensatingControls: [...spec.compensatingControls],
      location: doc.positions.locate(status === 'unmatched' ? ['spec', 'targets'] : ['metadata', 'id']),
      message,
      source,
    });

    if (source === 'submission' && !acceptSubmissionWaivers) {
      const what =
        matches.length > 0
          ? `it would cover ${[...new Set(matches.map((f) => f.subject))].join(', ')}`
          : 'it matches no finding';
      return outcome(
        'requested',
        `Requested by the operator, not granted: a waiver in a submission changes no finding unless the auditor accepts it (--waivers, or acceptSubmissionWaivers in the profile); ${what}.`,
      );
    }

    if (expired) {
      for (const f of matches) f.waiver = { id: doc.id, status: 'expired', expires: spec.expires };
      return outcome(
        'expired',
        `Expired on ${spec.expires}, before the audit date ${auditDate}: it no longer applies.`,
      );
    }
    if (matches.length === 0) {
      const why = knownControls.has(spec.control)
        ? `no ${spec.control} finding has subject ${targets.join(', ')}`
        : `the catalog has no control ${spec.control} (or the profile disables it)`;
      return outcome('unmatched', `Matches nothing: ${why}.`);
    }
    const waivable = matches.filter((f) => WAIVABLE.has(f.status));
    for (const f of waivable) {
      f.status = 'waived';
      f.waiver = { id: doc.id, status: 'applied', expires: spec.expires };
    }
    if (waivable.length === 0)
      return outcome('not-needed', 'Matches only findings that do not fail: the waiver is not needed.');
    return outcome('applied', `Applied to ${waivable.map((f) => f.subject).join(', ')} until ${spec.expires}.`);
  });
}
