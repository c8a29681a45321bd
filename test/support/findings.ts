import { flattenCauses, subjectFinding } from '../../src/engine/causes.js';
import type { Finding } from '../../src/model/finding.js';
import { byKeys } from '../../src/model/order.js';

// A finding is one cause with an occurrence per subject (issue 15). Tests that ask what a control said
// of one subject look it up among the occurrences, through these.

/**
 * What `control` said of `subject`: the finding of its cause seen from that occurrence (its subject,
 * location, fingerprint, baseline and full evidence), or undefined when no occurrence has that subject.
 */
export function findingOf(findings: readonly Finding[], control: string, subject: string): Finding | undefined {
  for (const f of findings) {
    if (f.control !== control) continue;
    const i = f.occurrences.findIndex((o) => o.subject === subject);
    if (i >= 0) return subjectFinding(f, f.occurrences[i], i === 0);
  }
  return undefined;
}

/** The cause (the grouped finding itself) that has an occurrence on `subject` for `control`. */
export function causeOf(findings: readonly Finding[], control: string, subject: string): Finding | undefined {
  return findings.find((f) => f.control === control && f.occurrences.some((o) => o.subject === subject));
}

/**
 * Every finding one subject at a time, as before grouping (see flattenCauses), in the order findings.json
 * listed them then: by operator, control, subject and line.
 */
export function subjectFindings(findings: readonly Finding[]): Finding[] {
  return flattenCauses(findings).sort(
    byKeys<Finding>(
      (f) => f.operator,
      (f) => f.control,
      (f) => f.subject,
      (f) => String(f.location.line).padStart(9, '0'),
    ),
  );
}
