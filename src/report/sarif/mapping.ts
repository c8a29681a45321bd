import { waiverDecisionText, type WaiverDecision } from '../waiver-text.js';
import type { Finding, Occurrence } from '../../model/finding.js';
import type { BaselineComparison, ControlSummary } from '../../model/report.js';
import {
  SEVERITIES,
  severityRank,
  type Diagnostic,
  type DiagnosticCode,
  type Severity,
  type SourcePos,
  type Status,
} from '../../model/types.js';
import type {
  SarifArtifactLocation,
  SarifBaselineState,
  SarifKind,
  SarifLevel,
  SarifLocation,
  SarifNotification,
  SarifNotificationDescriptor,
  SarifResult,
  SarifRule,
  SarifSuppression,
} from './types.js';
import { artifactUri } from '../uri.js';
import { unlistedControl } from '../unlisted-control.js';
import { controlHelpUri, type SarifLinks } from './links.js';
import { GITHUB_LIMITS } from './limits.js';
import { countText } from '../number-text.js';

/**
 * How an ixaudit finding becomes a SARIF result. The whole mapping is documented in
 * docs/interchange.md; the reasons are next to each function.
 */

/** Statuses that become results. pass and not-applicable are not problems and stay out of SARIF. */
export const SARIF_STATUSES: ReadonlySet<string> = new Set(['fail', 'not-evidenced', 'waived', 'error']);

/** The key under which result.partialFingerprints carries finding.fingerprint (versioned, as SARIF recommends). */
export const FINGERPRINT_KEY = 'ixauditFinding/v1';

/**
 * Severity → level for a failing result. Code-scanning viewers treat `error` as blocking, so only
 * critical and high findings get it; medium is a warning; low and info are notes.
 */
export function levelForSeverity(severity: Severity): SarifLevel {
  switch (severity) {
    case 'critical':
    case 'high':
      return 'error';
    case 'medium':
      return 'warning';
    default:
      return 'note';
  }
}

/**
 * GitHub code scanning ranks security alerts by rule.properties['security-severity'] (a CVSS-like
 * score as text: ≥ 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low). info has no score.
 */
export function securitySeverity(severity: Severity): string | undefined {
  return { critical: '9.5', high: '8.0', medium: '5.5', low: '2.0', info: undefined }[severity];
}

/**
 * SARIF kind and level of a finding. SARIF (§3.27.9) requires level `none` whenever kind is not
 * `fail`, so only failures carry the severity's level:
 * - fail → kind fail;
 * - waived → kind fail too (it did fail; the waiver is a suppression, see suppressionFor);
 * - not-evidenced → kind review ("a human must check"), unless the profile sets
 *   notEvidencedIsFailure, in which case it is a failure like the exit code says;
 * - error → kind open (the tool could not decide whether the requirement is met).
 */
export function kindAndLevel(finding: Finding, notEvidencedIsFailure: boolean): { kind: SarifKind; level: SarifLevel } {
  const failing =
    finding.status === 'fail' ||
    finding.status === 'waived' ||
    (finding.status === 'not-evidenced' && notEvidencedIsFailure);
  if (failing) return { kind: 'fail', level: levelForSeverity(finding.severity) };
  return { kind: finding.status === 'error' ? 'open' : 'review', level: 'none' };
}

/** The text a code-scanning viewer shows under "help": what the control requires and what to do. */
export function helpText(
  control: Pick<ControlSummary, 'requirement' | 'references'>,
  remediation: string | undefined,
): { text: string; markdown: string } {
  const references = control.references.map(referenceText);
  const text = [
    `Requirement: ${control.requirement}`,
    remediation ? `Remediation: ${remediation}` : '',
    references.length ? `References: ${references.join('; ')}.` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
  const markdown = [
    `**Requirement.** ${control.requirement}`,
    remediation ? `**Remediation.** ${remediation}` : '',
    references.length ? `**References.**\n\n${references.map((r) => `- ${r}`).join('\n')}` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
  return { text, markdown };
}

export function referenceText(reference: ControlSummary['references'][number]): string {
  return (
    [reference.document, reference.section].filter(Boolean).join(' ') + (reference.note ? ` (${reference.note})` : '')
  );
}

/**
 * A Pascal identifier as Microsoft's SARIF multitool checks it (SARIF2012): one or more chunks, each an
 * upper-case letter followed by at least one lower-case letter or digit. So no acronym in capitals
 * (`Ipx`, not `IPX`) and no one-letter word (`AHigh` fails).
 */
export const PASCAL_IDENTIFIER = /^(?:\p{Lu}[\p{Ll}\p{Nd}]+)+$/u;

/**
 * SARIF's "friendly name" of a rule: one Pascal identifier from its title, e.g. "No failover to a
 * high-risk carrier" → NoFailoverToHighRiskCarrier, "SS7 firewall blocks FS.11 category 1 and 2
 * messages" → Ss7FirewallBlocksFs11Category1And2Messages. ASCII letters and digits only; acronyms are
 * re-cased, the article "a" is left out, apostrophes are dropped (protocol's → Protocols), another
 * one-letter word or a number joins the word before (GTP-C → Gtpc, last 12 months → Last12Months).
 * Empty when the title gives no such identifier (e.g. it starts with a number): the name is then omitted.
 */
export function friendlyName(title: string): string {
  const chunks: string[] = [];
  for (const word of title.replace(/['\u2019]/g, '').split(/[^A-Za-z0-9]+/)) {
    if (word === '' || /^a$/i.test(word)) continue;
    const lower = word.toLowerCase();
    if (chunks.length > 0 && (word.length === 1 || /^[0-9]/.test(word))) chunks[chunks.length - 1] += lower;
    else chunks.push(lower[0].toUpperCase() + lower.slice(1));
  }
  const name = chunks.join('');
  return PASCAL_IDENTIFIER.test(name) ? name : '';
}

/**
 * Whether a name reads as the id: Microsoft's SARIF multitool (rule SARIF1001) flags a `name` equal to
 * the `id` ignoring case; we also ignore punctuation, so `YamlSyntax` for `yaml-syntax` counts as equal.
 */
export function sameAsId(name: string, id: string): boolean {
  const plain = (text: string) => text.replace(/[^\p{L}\p{N}]/gu, '').toLowerCase();
  return plain(name) === plain(id);
}

/**
 * One rule per control in force. remediation comes from the control's findings (ControlSummary has none);
 * links, when the project has a web address, give the rule's section of docs/controls.md as helpUri.
 */
export function ruleFor(control: ControlSummary, remediation: string | undefined, links?: SarifLinks): SarifRule {
  const score = securitySeverity(control.severity);
  const name = friendlyName(control.title);
  const helpUri = controlHelpUri(links, control.id);
  return {
    id: control.id,
    ...(name && !sameAsId(name, control.id) ? { name } : {}),
    shortDescription: { text: control.title },
    fullDescription: { text: control.requirement },
    help: helpText(control, remediation),
    ...(helpUri ? { helpUri } : {}),
    defaultConfiguration: { level: levelForSeverity(control.severity) },
    properties: {
      tags: ['security', 'interconnect', `family:${control.family}`],
      precision: 'high',
      ...(score ? { 'security-severity': score } : {}),
      severity: control.severity,
      family: control.family,
      references: control.references.map(referenceText),
      ...(Object.keys(control.parameters).length ? { parameters: control.parameters } : {}),
    },
  };
}

/**
 * A rule for a finding whose control is not in the catalog in force (the engine's own ICX-ENGINE
 * error when an operator's audit crashed, or a control of the previous run that is now disabled),
 * so every result's ruleIndex points at a rule.
 */
export function ruleForUnlisted(
  finding: Pick<Finding, 'control' | 'title' | 'severity'> & Partial<Pick<Finding, 'family' | 'remediation'>>,
  links?: SarifLinks,
): SarifRule {
  return ruleFor(unlistedControl(finding), finding.remediation, links);
}

/** An artifactLocation with the index of the input file in run.artifacts when it is one. */
export function artifactLocation(file: string, artifactIndex: ReadonlyMap<string, number>): SarifArtifactLocation {
  const index = artifactIndex.get(file);
  return { ...artifactUri(file), ...(index === undefined ? {} : { index }) };
}

/** file:line:column as a physical location; line 0 means "no place in the file", so no region. */
export function physicalLocation(pos: SourcePos, artifactIndex: ReadonlyMap<string, number>): SarifLocation {
  const region =
    pos.line > 0 ? { startLine: pos.line, ...(pos.column > 0 ? { startColumn: pos.column } : {}) } : undefined;
  return {
    physicalLocation: { artifactLocation: artifactLocation(pos.file, artifactIndex), ...(region ? { region } : {}) },
  };
}

/**
 * One occurrence of a finding as a SARIF location: its file, line and column, its subject as logical
 * location, and in properties its own fingerprint (result.partialFingerprints carries the first
 * occurrence's), the evidence that is its own, and with --baseline its state. The finding's YAML
 * excerpt quotes the first occurrence only, so only that location has snippet and context region.
 */
export function occurrenceLocation(
  finding: Finding,
  occurrence: Occurrence,
  artifactIndex: ReadonlyMap<string, number>,
  withExcerpt: boolean,
): SarifLocation {
  const location = physicalLocation(occurrence.location, artifactIndex);
  const physical = location.physicalLocation!;
  const excerpt = withExcerpt ? (finding.excerpt ?? []) : [];
  const own = excerpt.find((line) => line.line === occurrence.location.line);
  if (physical.region && own) physical.region.snippet = { text: own.text };
  // SARIF: a context region contains the region (multitool SARIF1008); an excerpt of other lines is left out.
  if (excerpt.length > 0 && (own || !physical.region)) {
    physical.contextRegion = {
      startLine: excerpt[0].line,
      endLine: excerpt[excerpt.length - 1].line,
      snippet: { text: excerpt.map((line) => line.text).join('\n') },
    };
  }
  location.logicalLocations = [
    { name: occurrence.subject, fullyQualifiedName: `${finding.operator}/${occurrence.subject}`, kind: 'object' },
  ];
  location.properties = {
    fingerprint: occurrence.fingerprint,
    ...(occurrence.evidence ? { evidence: occurrence.evidence } : {}),
    ...(occurrence.baseline ? { baselineState: occurrence.baseline.state } : {}),
    ...(occurrence.baseline?.previousStatus ? { previousStatus: occurrence.baseline.previousStatus } : {}),
  };
  return location;
}

/** The first `listed` occurrences of a finding (in table order) as its locations. */
export function occurrenceLocations(
  finding: Finding,
  occurrences: readonly Occurrence[],
  artifactIndex: ReadonlyMap<string, number>,
  listed: number,
): SarifLocation[] {
  return occurrences
    .slice(0, listed)
    .map((o, i) => occurrenceLocation(finding, o, artifactIndex, i === 0 && o.subject === finding.subject));
}

/**
 * The sentence that says where else the cause was found: nothing for a single occurrence; the count,
 * the first subject and, past `perResult` (what a result lists, ResultContext), how many are listed.
 */
export function occurrencesText(
  operator: string,
  occurrences: readonly Pick<Occurrence, 'subject'>[],
  perResult: number,
): string {
  const n = occurrences.length;
  if (n <= 1) return '';
  const listed = Math.min(n, perResult);
  const more = n - listed;
  return ` Found at ${countText(n)} subjects of ${operator} (${occurrences[0].subject} and ${countText(n - 1)} more)${
    more > 0
      ? `: ${listed === 1 ? "the first is this result's location" : `the first ${countText(listed)} are this result's locations`}, findings.json lists all ${countText(n)}.`
      : ', each a location of this result.'
  }`;
}

/** What result.properties says of a finding's occurrences: how many, and how many are not locations. */
function occurrenceProperties(occurrences: readonly unknown[], perResult: number): Record<string, number> {
  const notListed = occurrences.length - Math.min(occurrences.length, perResult);
  return { occurrences: occurrences.length, ...(notListed > 0 ? { occurrencesNotListed: notListed } : {}) };
}

/** Where a waiver was declared and how it ended, as the model has it (src/model/finding.ts WaiverOutcome). */
export interface WaiverSource extends WaiverDecision {
  id: string;
  expires: string;
  location: SourcePos;
  message: string;
}

/**
 * An applied waiver is an external suppression with status accepted: the finding still failed, but a
 * documented, time-limited decision covers it. Code-scanning viewers then list it as dismissed instead
 * of open. Expired waivers are no suppression (the finding fails again); they travel in properties.
 */
export function suppressionFor(
  finding: Finding,
  waiver: WaiverSource | undefined,
  artifactIndex: ReadonlyMap<string, number>,
): SarifSuppression | undefined {
  if (finding.status !== 'waived' || !finding.waiver) return undefined;
  const where = waiver ? ` (${waiver.location.file}:${waiver.location.line}:${waiver.location.column})` : '';
  return {
    kind: 'external',
    status: 'accepted',
    justification: [
      `Waiver ${finding.waiver.id}${where} covers this finding until ${finding.waiver.expires}.`,
      waiver ? waiverDecisionText(waiver) : '',
      waiver?.message ?? '',
    ]
      .filter((part) => part !== '')
      .join(' '),
    ...(waiver ? { location: physicalLocation(waiver.location, artifactIndex) } : {}),
    properties: {
      waiver: finding.waiver.id,
      expires: finding.waiver.expires,
      ...(waiver
        ? { approvedBy: waiver.approvedBy, ticket: waiver.ticket, compensatingControls: waiver.compensatingControls }
        : {}),
    },
  };
}

export interface ResultContext {
  ruleIndex: ReadonlyMap<string, number>;
  artifactIndex: ReadonlyMap<string, number>;
  waivers: ReadonlyMap<string, WaiverSource>;
  notEvidencedIsFailure: boolean;
  /** Locations a result lists at most (limits.ts locationsPerResult of the run's number of results). */
  locationsPerResult: number;
}

/**
 * The comparison with a previous run (--baseline, finding.baseline) in SARIF's terms, which has only new,
 * unchanged, updated and absent: a result that is still reported keeps its identity, new, unchanged, or
 * updated for ixaudit's regressed, improved and changed (and a problem now waived, which the comparison
 * calls resolved). A result stands for all its occurrences: new when every one is new, unchanged when
 * every one is unchanged and the cause lost none (finding.baseline.lost), otherwise updated
 * (finding.baseline.counts; without counts, the first occurrence's state decides). ixaudit's own state
 * is in the result's properties (baselineState, previousStatus, occurrenceBaselineStates) and each
 * location's. Without --baseline there is no state.
 */
export function baselineStateOf(finding: Finding): SarifBaselineState | undefined {
  const baseline = finding.baseline;
  if (!baseline) return undefined;
  const states = Object.entries(baseline.counts ?? { [baseline.state]: 1 })
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([state]) => state);
  if (states.length === 1 && states[0] === 'new') return 'new';
  // A cause that lost occurrences has changed, however its remaining ones compare.
  if (states.length === 1 && states[0] === 'unchanged' && !(baseline.lost ?? 0)) return 'unchanged';
  return 'updated';
}

/**
 * The occurrences of a finding that were SARIF results in the previous run and are none now: the finding
 * passes or no longer applies, and the occurrence's previous status was a problem.
 */
export function leftOccurrences(finding: Finding): Occurrence[] {
  if (SARIF_STATUSES.has(finding.status)) return [];
  return finding.occurrences.filter((o) => {
    const previous = o.baseline?.previousStatus;
    return previous !== undefined && SARIF_STATUSES.has(previous);
  });
}

/** A finding some of whose occurrences were SARIF results in the previous run and are none now. */
export function leftSarif(finding: Finding): boolean {
  return leftOccurrences(finding).length > 0;
}

/** The key under which ResultContext.waivers holds a waiver: waiver ids are unique per operator. */
export function waiverKey(operator: string, id: string): string {
  return `${operator}\u0000${id}`;
}

/**
 * One result per finding, that is per cause: its occurrences are its locations (the first
 * context.locationsPerResult), the message says how many there are, and partialFingerprints carries the
 * first occurrence's fingerprint (each location carries its own in properties).
 */
export function resultFor(finding: Finding, context: ResultContext): SarifResult {
  const { kind, level } = kindAndLevel(finding, context.notEvidencedIsFailure);
  const waiver = finding.waiver ? context.waivers.get(waiverKey(finding.operator, finding.waiver.id)) : undefined;
  const suppression = suppressionFor(finding, waiver, context.artifactIndex);
  const baselineState = baselineStateOf(finding);
  const occurrences = finding.occurrences;
  return {
    ruleId: finding.control,
    ruleIndex: context.ruleIndex.get(finding.control)!,
    kind,
    level,
    message: { text: finding.message + occurrencesText(finding.operator, occurrences, context.locationsPerResult) },
    locations: occurrenceLocations(finding, occurrences, context.artifactIndex, context.locationsPerResult),
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
    ...(baselineState ? { baselineState } : {}),
    ...(suppression ? { suppressions: [suppression] } : {}),
    properties: {
      status: finding.status,
      severity: finding.severity,
      operator: finding.operator,
      subject: finding.subject,
      ...occurrenceProperties(occurrences, context.locationsPerResult),
      ...(finding.baseline ? { baselineState: finding.baseline.state } : {}),
      ...(finding.baseline?.previousStatus ? { previousStatus: finding.baseline.previousStatus } : {}),
      ...(finding.baseline?.counts && occurrences.length > 1
        ? { occurrenceBaselineStates: finding.baseline.counts }
        : {}),
      ...(finding.waiver ? { waiver: finding.waiver } : {}),
      evidence: finding.evidence,
    },
  };
}

/** "fail", "fail or not-evidenced": the distinct statuses, in order of first appearance. */
function statusesText(statuses: Iterable<Status>): string {
  return [...new Set(statuses)].join(' or ');
}

/**
 * The occurrences of a finding that were results in the previous run and are gone (leftOccurrences):
 * one result, listed with baselineState absent so viewers show it as fixed, located at those
 * occurrences and identified by the first one's fingerprint. Its kind is what holds now (pass, or
 * notApplicable), never fail, so a viewer that ignores baselineState raises no alert for a solved problem.
 */
export function absentResultFor(finding: Finding, previousAuditDate: string, context: ResultContext): SarifResult {
  const left = leftOccurrences(finding);
  const first = left[0];
  const was = statusesText(left.map((o) => o.baseline!.previousStatus!));
  const where =
    left.length > 1
      ? ` at ${countText(left.length)} subjects (${first.subject} and ${countText(left.length - 1)} more)`
      : '';
  return {
    ruleId: finding.control,
    ruleIndex: context.ruleIndex.get(finding.control)!,
    kind: finding.status === 'not-applicable' ? 'notApplicable' : 'pass',
    level: 'none',
    message: {
      text: `Resolved since the audit of ${previousAuditDate}${where}: was ${was}, now ${finding.status}. ${finding.message}`,
    },
    locations: left
      .slice(0, context.locationsPerResult)
      .map((o, i) => occurrenceLocation(finding, o, context.artifactIndex, i === 0 && o.subject === finding.subject)),
    partialFingerprints: { [FINGERPRINT_KEY]: first.fingerprint },
    baselineState: 'absent',
    properties: {
      status: finding.status,
      baselineState: first.baseline!.state,
      previousStatus: first.baseline!.previousStatus,
      severity: finding.severity,
      operator: finding.operator,
      subject: first.subject,
      ...occurrenceProperties(left, context.locationsPerResult),
    },
  };
}

type Removed = BaselineComparison['removed'][number];

/**
 * Previous problems of one operator and control whose subjects no longer exist (BaselineComparison.removed):
 * gone, so one absent result, its locations the subjects (logical only: no file location is left), each
 * with its fingerprint; partialFingerprints is the first one's.
 */
export function removedResultFor(
  removed: readonly Removed[],
  previousAuditDate: string,
  context: ResultContext,
): SarifResult {
  const [first] = removed;
  const subjects =
    removed.length > 1
      ? `${countText(removed.length)} subjects (${first.subject} and ${countText(removed.length - 1)} more) no longer appear`
      : `${first.subject} no longer appears`;
  return {
    ruleId: first.control,
    ruleIndex: context.ruleIndex.get(first.control)!,
    kind: 'pass',
    level: 'none',
    message: {
      text: `Resolved since the audit of ${previousAuditDate}: ${subjects} in ${first.operator}'s submission (was ${statusesText(removed.map((r) => r.previousStatus))}).`,
    },
    locations: removed.slice(0, context.locationsPerResult).map((r) => ({
      logicalLocations: [{ name: r.subject, fullyQualifiedName: `${r.operator}/${r.subject}`, kind: 'object' }],
      properties: { fingerprint: r.fingerprint, previousStatus: r.previousStatus },
    })),
    partialFingerprints: { [FINGERPRINT_KEY]: first.fingerprint },
    baselineState: 'absent',
    properties: {
      status: 'removed',
      baselineState: 'resolved',
      previousStatus: first.previousStatus,
      severity: first.severity,
      operator: first.operator,
      subject: first.subject,
      ...occurrenceProperties(removed, context.locationsPerResult),
    },
  };
}

/** The id of the notification that says results were left out at GitHub's limit (see resultsOmittedNotification). */
export const RESULT_LIMIT_NOTIFICATION = 'result-limit';

/**
 * Which results to keep when a run would hold more than GitHub accepts: current results before the
 * absent ones of a --baseline comparison, then by severity (critical first), then in findings order.
 * Lower sorts first.
 */
export function resultRank(absent: boolean, severity: Severity): number {
  return (absent ? SEVERITIES.length : 0) + severityRank(severity);
}

/** What was left out at the result limit, by severity: the notification and run.properties say it. */
export interface OmittedResults {
  total: number;
  kept: number;
  bySeverity: Partial<Record<Severity, number>>;
  absent: number;
}

/** The warning a run carries when results were left out to stay within GitHub's limit. */
export function resultsOmittedNotification(omitted: OmittedResults): SarifNotification {
  const left = omitted.total - omitted.kept;
  const severities = SEVERITIES.filter((s) => omitted.bySeverity[s])
    .map((s) => `${countText(omitted.bySeverity[s]!)} ${s}`)
    .join(', ');
  return {
    level: 'warning',
    message: {
      text: `${countText(left)} of ${countText(omitted.total)} results are left out of this log: GitHub code scanning rejects a run of more than ${countText(GITHUB_LIMITS.resultsPerRun)} results. The ${countText(omitted.kept)} kept are the most severe (current problems before resolved ones); left out: ${[severities, omitted.absent ? `${countText(omitted.absent)} resolved since the baseline` : ''].filter(Boolean).join('; ')}. findings.json lists every finding.`,
    },
    descriptor: { id: RESULT_LIMIT_NOTIFICATION, index: NOTIFICATION_CODES.length },
    properties: {
      resultsTotal: omitted.total,
      resultsKept: omitted.kept,
      resultsOmitted: left,
      omittedBySeverity: omitted.bySeverity,
      ...(omitted.absent ? { omittedAbsent: omitted.absent } : {}),
    },
  };
}

/** Every diagnostic code (docs/findings.md, errors[]) as a SARIF notification descriptor, in a fixed order. */
export const NOTIFICATION_CODES: readonly DiagnosticCode[] = [
  'io',
  'encoding',
  'yaml-syntax',
  'yaml-limit',
  'schema',
  'reference',
  'duplicate-id',
  'ownership-cycle',
  'ownership',
  'conflict',
  'control',
  'profile',
  'usage',
];

/**
 * What each diagnostic means and what to do about it (code-scanning viewers require both for a
 * descriptor), and its friendly name: Pascal case and more than the code re-cased (SARIF §3.49.7; the
 * multitool's SARIF1001 flags a name that equals the id).
 */
const NOTIFICATION_TEXT: Record<DiagnosticCode, { name: string; text: string; help: string }> = {
  io: {
    name: 'InputNotReadable',
    text: 'A file or folder could not be read.',
    help: 'Check that the path exists and is readable, then run the audit again.',
  },
  encoding: {
    name: 'InputNotUtf8',
    text: 'A file is not valid UTF-8.',
    help: 'Save the file as UTF-8; the message gives the line and column of the first invalid byte.',
  },
  'yaml-syntax': {
    name: 'InvalidYamlSyntax',
    text: 'A YAML document does not parse.',
    help: 'Fix the YAML at the given line and column; the other documents of the file were still audited.',
  },
  'yaml-limit': {
    name: 'YamlLimitExceeded',
    text: 'A YAML document exceeds a parser limit (size, nesting, alias expansion).',
    help: 'Split or simplify the document, or raise the named limit with --limit if the input is trusted.',
  },
  schema: {
    name: 'SchemaViolation',
    text: "A document does not match its kind's JSON Schema.",
    help: 'Correct the field named in the message; docs/inputs.md lists the fields of each kind.',
  },
  reference: {
    name: 'UnresolvedReference',
    text: 'A reference names a document that does not exist.',
    help: 'Add the referenced document or correct the id; subjects that need it are reported as errors until then.',
  },
  'duplicate-id': {
    name: 'DuplicateDocumentId',
    text: 'Two documents of the same kind share an id.',
    help: 'Give each document of a kind its own id (per operator for operator documents).',
  },
  'ownership-cycle': {
    name: 'ControllingOwnershipLoop',
    text: 'A controlling ownership chain loops.',
    help: 'Correct the ownership edges so that following the controlling owner ends at an ultimate controller.',
  },
  ownership: {
    name: 'InconsistentOwnership',
    text: "An entity's holdings are inconsistent (shares over 100 %, or several controlling owners).",
    help: 'Correct the ownership edges so that the shares add up to at most 100 % and at most one edge is marked control: true.',
  },
  conflict: {
    name: 'UntrustedSubmissionContent',
    text: "A submission redefines a trusted fact or declares something the auditor does not accept (a registry carrier or owner, another submission's entity, an AuditProfile).",
    help: 'Remove the document from the submission; the auditor supplies profiles and registry corrections with --profile and --registry.',
  },
  control: {
    name: 'InvalidControlFile',
    text: 'A control file of the catalog is invalid.',
    help: 'Fix the control file at the given line; the control was left out of the audit.',
  },
  profile: {
    name: 'UnresolvableProfile',
    text: 'The audit profile cannot be resolved.',
    help: 'Name an existing profile with --profile, or fix the AuditProfile document.',
  },
  usage: {
    name: 'InvalidCommandLine',
    text: 'The command line is invalid.',
    help: 'Run ixaudit --help for the options.',
  },
};

/**
 * Every diagnostic code's descriptor, then ixaudit's own about the log itself: RESULT_LIMIT_NOTIFICATION,
 * results left out at GitHub's limit on results per run.
 */
export function notificationDescriptors(): SarifNotificationDescriptor[] {
  return [
    ...NOTIFICATION_CODES.map((id) => ({
      id,
      name: NOTIFICATION_TEXT[id].name,
      shortDescription: { text: NOTIFICATION_TEXT[id].text },
      fullDescription: { text: NOTIFICATION_TEXT[id].text },
      help: { text: NOTIFICATION_TEXT[id].help },
    })),
    {
      id: RESULT_LIMIT_NOTIFICATION,
      name: 'ResultsLeftOutAtGitHubLimit',
      shortDescription: { text: 'Some results are left out of the log to stay within GitHub code scanning limits.' },
      fullDescription: {
        text: `GitHub code scanning rejects a run of more than ${countText(GITHUB_LIMITS.resultsPerRun)} results, so ixaudit keeps that many, the most severe first, and says how many of each severity it left out.`,
      },
      help: {
        text: 'Read findings.json (or findings.csv) for every finding; fix or waive the most frequent causes to bring the count down.',
      },
    },
  ];
}

/** Input, usage and catalog problems are the tool's own notifications, located like findings. */
export function notificationFor(diagnostic: Diagnostic, artifactIndex: ReadonlyMap<string, number>): SarifNotification {
  return {
    level: 'error',
    message: { text: diagnostic.message },
    descriptor: { id: diagnostic.code, index: NOTIFICATION_CODES.indexOf(diagnostic.code) },
    locations: [physicalLocation(diagnostic, artifactIndex)],
  };
}
