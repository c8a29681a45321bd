import { waiverDecisionText } from '../waiver-text.js';
import type { Finding, WaiverOutcome } from '../../model/finding.js';
import type { ControlSummary, SummarisedFindings } from '../../model/report.js';
import { compareText } from '../../model/order.js';
import type { Severity } from '../../model/types.js';
import type { HdfControl, HdfResult, HdfResultStatus, HdfWaiverData } from './types.js';
import { countText } from '../number-text.js';

/**
 * How ixaudit's findings become HDF (InSpec exec JSON), so that Heimdall and the MITRE SAF tools load
 * them. Heimdall derives a control's status from its results: any error → "Profile Error"; impact 0 or
 * waiver_data.skipped_due_to_waiver → "Not Applicable"; any failed → "Failed"; any passed → "Passed";
 * only skipped → "Not Reviewed". The mapping below is chosen against those rules; docs/interchange.md
 * has the table.
 */

/**
 * Severity → impact, at the values Heimdall's bands read back as the same severity
 * (≥ 0.9 critical, ≥ 0.7 high, ≥ 0.4 medium, ≥ 0.01 low, below: none). info is 0, InSpec's
 * "informational": Heimdall lists such a control as Not Applicable, with its results in the details.
 */
export const IMPACT: Record<Severity, number> = { critical: 1.0, high: 0.7, medium: 0.5, low: 0.3, info: 0.0 };

/**
 * Occurrences a result names in its message: the first of its finding, in table order. code_desc names
 * the first and the count; findings.json lists every occurrence.
 */
export const MAX_RESULT_OCCURRENCES = 100;
/**
 * Occurrences the results of one document name together, at most (unless it has more results: each
 * names at least its first). At 100 a cause, the sector bench (50 operators × 20,000 routes, 24,654
 * findings) wrote a 91 MB hdf.json, mostly these lists.
 */
export const MAX_DOCUMENT_OCCURRENCES = 25_000;

/**
 * How many occurrences each result of a document with `results` results names: MAX_RESULT_OCCURRENCES,
 * fewer when they would pass MAX_DOCUMENT_OCCURRENCES together, never none.
 */
export function occurrencesPerResult(results: number): number {
  if (results <= 0) return MAX_RESULT_OCCURRENCES;
  return Math.max(1, Math.min(MAX_RESULT_OCCURRENCES, Math.floor(MAX_DOCUMENT_OCCURRENCES / results)));
}

/** The families of the catalog (shared/spec/controls.md), for the profile's groups. */
export const FAMILY_TITLES: Record<string, string> = {
  OWN: 'Carrier ownership and jurisdiction',
  RT: 'Routing and transit exposure',
  FW: 'Signalling protection',
  ENC: 'Confidentiality of interconnect links',
  CT: 'Contractual safeguards',
  MON: 'Monitoring and incident response',
  RES: 'Resilience and concentration',
};

/**
 * A finding's result status. waived and not-applicable are skipped (not failures: ixaudit does not
 * count them); not-evidenced is skipped too ("a human must look"), unless the profile counts it as a
 * failure; error stays error, which Heimdall shows as "Profile Error" for the whole control.
 */
export function resultStatus(finding: Finding, notEvidencedIsFailure: boolean): HdfResultStatus {
  switch (finding.status) {
    case 'pass':
      return 'passed';
    case 'fail':
      return 'failed';
    case 'error':
      return 'error';
    case 'not-evidenced':
      return notEvidencedIsFailure ? 'failed' : 'skipped';
    default:
      return 'skipped';
  }
}

/** "Label: message", without doubling a label the message already starts with ("Not applicable: …"). */
function labelled(label: string, message: string): string {
  return message.toLowerCase().startsWith(label.toLowerCase()) ? message : `${label}: ${message}`;
}

function skipReason(finding: Finding): string {
  if (finding.status === 'waived' && finding.waiver)
    return `Waived by ${finding.waiver.id} until ${finding.waiver.expires}: ${finding.message}`;
  if (finding.status === 'not-evidenced') return labelled('Not evidenced', finding.message);
  return labelled('Not applicable', finding.message);
}

/** file:line:column, as code_desc and the occurrence list give places. */
function placeText(location: Finding['location']): string {
  return `${location.file}:${location.line}:${location.column}`;
}

/**
 * The list of a finding's occurrences under its message, for a finding with more than one: each subject
 * and place, the first `perResult` of them (occurrencesPerResult), and how many more findings.json has.
 */
export function occurrenceList(finding: Finding, perResult = MAX_RESULT_OCCURRENCES): string {
  const occurrences = finding.occurrences;
  if (occurrences.length <= 1) return '';
  const listed = occurrences.slice(0, perResult);
  const more = occurrences.length - listed.length;
  return [
    '',
    '',
    `Occurrences (${countText(occurrences.length)}):`,
    ...listed.map((o) => `- ${o.subject} (${placeText(o.location)})`),
    ...(more > 0 ? [`- and ${countText(more)} more; findings.json lists all ${countText(occurrences.length)}.`] : []),
  ].join('\n');
}

/**
 * One result per finding (one cause): code_desc names its first subject and place and how many more
 * share the cause; the message (or skip_message) is the finding's sentence and the occurrence list.
 */
export function resultFor(
  finding: Finding,
  startTime: string,
  notEvidencedIsFailure: boolean,
  perResult = MAX_RESULT_OCCURRENCES,
): HdfResult {
  const status = resultStatus(finding, notEvidencedIsFailure);
  const others = finding.occurrences.length - 1;
  const text = (status === 'skipped' ? skipReason(finding) : finding.message) + occurrenceList(finding, perResult);
  return {
    status,
    code_desc: `${finding.operator} ${finding.subject} (${placeText(finding.location)})${others > 0 ? ` and ${countText(others)} more subject(s) with this cause` : ''}`,
    start_time: startTime,
    resource: finding.subject.split('/')[0],
    resource_id: `${finding.operator}/${finding.subject}`,
    ...(status === 'skipped' ? { skip_message: text } : { message: text }),
  };
}

/**
 * Operators with very large routing tables have their passing and not-applicable route findings
 * counted rather than listed (findings.json `summarised`). Each such count becomes one result, so a
 * control that passed on 20,000 routes still shows passed rather than empty (Heimdall: Profile Error).
 */
export function summaryResultFor(group: SummarisedFindings, startTime: string): HdfResult {
  const examples = group.examples.length ? ` (e.g. ${group.examples.join(', ')})` : '';
  const what = `${group.count} route subject(s) of ${group.operator} ${group.status === 'pass' ? 'passed' : 'not applicable'}, counted rather than listed${examples}`;
  return {
    status: group.status === 'pass' ? 'passed' : 'skipped',
    code_desc: `${group.operator}: ${group.count} route subject(s), counted`,
    start_time: startTime,
    resource: 'RoutingTable',
    resource_id: `${group.operator}/${group.control}/${group.status}`,
    ...(group.status === 'pass' ? { message: `${what}.` } : { skip_message: `Not applicable: ${what}.` }),
  };
}

/**
 * NIST SP 800-53 references as the tags Heimdall's NIST views read: "SA-9(5)" is written "SA-9 (5)"
 * as in MITRE's profiles, and "Rev_5" names the revision.
 */
export function nistTags(references: ControlSummary['references']): string[] {
  const sections = references
    .filter((r) => /NIST SP 800-53/.test(r.document) && r.section)
    .map((r) => r.section!.replace(/^([A-Z]{2}-\d+)\s*\((\d+)\)$/, '$1 ($2)'));
  const unique = [...new Set(sections)];
  const revision = references
    .find((r) => /NIST SP 800-53 Rev\. (\d+)/.test(r.document))
    ?.document.match(/Rev\. (\d+)/)?.[1];
  return unique.length && revision ? [...unique, `Rev_${revision}`] : unique;
}

/**
 * The NIST SP 800-53 Rev. 5 control of each family, for a control that cites none of its own (Heimdall
 * would file it under UM-1, "unmapped"): the section the family's shipped controls cite most.
 */
export const FAMILY_NIST: Readonly<Record<string, string>> = {
  OWN: 'SR-6', // Supplier assessments and reviews
  RT: 'SR-3', // Supply chain controls and processes
  FW: 'SC-7', // Boundary protection
  ENC: 'SC-8', // Transmission confidentiality and integrity
  CT: 'SA-9', // External system services
  MON: 'SI-4', // System monitoring
  RES: 'CP-8', // Telecommunications services
};

/**
 * For a control of no known family (a tailored catalog's own family, the engine's ICX-ENGINE error):
 * CA-2, Control assessments — what the control is part of.
 */
export const DEFAULT_NIST = 'CA-2';

/**
 * A control's NIST tags: its own NIST SP 800-53 references; failing those its family's section
 * (FAMILY_NIST), else DEFAULT_NIST, with `mapping` saying so (the control's tags.nist_mapping).
 */
export function controlNistTags(control: Pick<ControlSummary, 'family' | 'references'>): {
  nist: string[];
  mapping?: string;
} {
  const own = nistTags(control.references);
  if (own.length) return { nist: own };
  const family = FAMILY_NIST[control.family];
  if (family)
    return {
      nist: [family, 'Rev_5'],
      mapping: `No NIST SP 800-53 reference of its own: ${family}, the section the ${control.family} family's controls cite most.`,
    };
  return {
    nist: [DEFAULT_NIST, 'Rev_5'],
    mapping: `No NIST SP 800-53 reference and no known family: ${DEFAULT_NIST} (control assessments).`,
  };
}

/**
 * One HDF waiver_data for a control, from the waivers that matched its findings. HDF has one per
 * control while ixaudit waives per subject, so every waiver is named in justification and listed in
 * ixaudit_waivers. ixaudit always evaluates (run: true) and never skips a control for a waiver
 * (skipped_due_to_waiver: false); the waived results themselves are skipped with the waiver named.
 * expiration_date is the earliest expiry of an applied waiver (when the first one lapses), else the
 * latest expired one.
 */
export function waiverData(waivers: readonly WaiverOutcome[]): HdfWaiverData | undefined {
  const relevant = waivers.filter((w) => w.status === 'applied' || w.status === 'expired');
  if (relevant.length === 0) return undefined;
  const applied = relevant
    .filter((w) => w.status === 'applied')
    .map((w) => w.expires)
    .sort();
  const expired = relevant
    .filter((w) => w.status === 'expired')
    .map((w) => w.expires)
    .sort();
  const where = (w: WaiverOutcome) => `${w.location.file}:${w.location.line}:${w.location.column}`;
  const describe = (w: WaiverOutcome) =>
    w.status === 'applied'
      ? `${w.id} (${w.operator}) waives ${w.matched.join(', ')} until ${w.expires}`
      : `${w.id} (${w.operator}) expired on ${w.expires}: ${w.matched.join(', ')} evaluated normally`;
  return {
    justification: relevant
      .map((w) =>
        [`${w.id} (${w.operator}, ${where(w)}):`, waiverDecisionText(w), w.message].filter((p) => p !== '').join(' '),
      )
      .join('\n'),
    expiration_date: applied[0] ?? expired[expired.length - 1],
    run: true,
    skipped_due_to_waiver: false,
    message: `${relevant.map(describe).join('; ')}.`,
    ixaudit_waivers: relevant.map((w) => ({
      id: w.id,
      operator: w.operator,
      status: w.status,
      expires: w.expires,
      subjects: w.matched,
      location: where(w),
      justification: w.justification,
      approvedBy: w.approvedBy,
      ticket: w.ticket,
      compensatingControls: w.compensatingControls,
    })),
  };
}

export interface ControlContext {
  startTime: string;
  notEvidencedIsFailure: boolean;
  /** Occurrences a result names at most (occurrencesPerResult of the document's number of results). */
  occurrencesPerResult: number;
}

/**
 * One HDF control per ixaudit control, with one result per finding (one cause of one operator, see
 * resultFor) and one per counted group of route findings (see summaryResultFor). A control that applies
 * to nothing in this run (every finding not-applicable) gets impact 0, which Heimdall shows as
 * "Not Applicable"; tags.severity keeps the control's real severity for every other view.
 */
export function controlFor(
  control: ControlSummary,
  findings: readonly Finding[],
  summarised: readonly SummarisedFindings[],
  waivers: readonly WaiverOutcome[],
  context: ControlContext,
): { control: LazyHdfControl; outcome: ControlOutcome } {
  const remediation = findings[0]?.remediation;
  const statuses = new Set<HdfResultStatus>([
    ...findings.map((f) => resultStatus(f, context.notEvidencedIsFailure)),
    ...summarised.map((g) => (g.status === 'pass' ? ('passed' as const) : ('skipped' as const))),
  ]);
  const allNotApplicable =
    findings.length + summarised.length > 0 &&
    findings.every((f) => f.status === 'not-applicable') &&
    summarised.every((g) => g.status === 'not-applicable');
  const impact = allNotApplicable ? 0 : IMPACT[control.severity];
  const nist = controlNistTags(control);
  const waiver = waiverData(waivers);
  return {
    control: {
      id: control.id,
      title: control.title,
      desc: control.requirement,
      descriptions: [
        { label: 'default', data: control.requirement },
        ...(remediation ? [{ label: 'fix', data: remediation }] : []),
      ],
      impact,
      refs: control.references.map((r) => ({
        ref: [r.document, r.section].filter(Boolean).join(' ') + (r.note ? ` (${r.note})` : ''),
      })),
      tags: {
        severity: control.severity,
        family: control.family,
        nist: nist.nist,
        ...(nist.mapping ? { nist_mapping: nist.mapping } : {}),
        ...(Object.keys(control.parameters).length ? { parameters: control.parameters } : {}),
      },
      // Controls are files of the catalog folder, controls/<family>/<id>.yaml (enforced by the loader).
      source_location: { ref: `controls/${control.family}/${control.id}.yaml`, line: 1 },
      results: resultsInOrder(findings, summarised, context),
      ...(waiver ? { waiver_data: waiver } : {}),
    },
    outcome: outcomeOf(statuses, impact),
  };
}

/** An HDF control whose results are built one at a time as they are written (see json-stream.ts). */
export type LazyHdfControl = Omit<HdfControl, 'results'> & { results: Iterable<HdfResult> };

/**
 * Each operator's listed findings, then its counted groups. Both come sorted by operator, so merging
 * them needs no list of its own: results are built one at a time.
 */
function* resultsInOrder(
  findings: readonly Finding[],
  summarised: readonly SummarisedFindings[],
  context: ControlContext,
): Generator<HdfResult> {
  let g = 0;
  for (const f of findings) {
    while (g < summarised.length && compareText(summarised[g].operator, f.operator) < 0)
      yield summaryResultFor(summarised[g++], context.startTime);
    yield resultFor(f, context.startTime, context.notEvidencedIsFailure, context.occurrencesPerResult);
  }
  while (g < summarised.length) yield summaryResultFor(summarised[g++], context.startTime);
}

export type ControlOutcome = 'passed' | 'failed' | 'skipped';

/**
 * A control's overall outcome for statistics, as Heimdall reads it: failed when a result failed or
 * errored, passed when one passed; informational and not-applicable controls (impact 0) are skipped.
 */
export function outcomeOf(statuses: ReadonlySet<HdfResultStatus>, impact: number): ControlOutcome {
  if (statuses.has('error')) return 'failed';
  if (impact === 0) return 'skipped';
  if (statuses.has('failed')) return 'failed';
  return statuses.has('passed') ? 'passed' : 'skipped';
}
