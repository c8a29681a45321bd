import type { Finding, Occurrence, WaiverOutcome } from '../../model/finding.js';
import { waiverDecisionText } from '../waiver-text.js';
import type { ControlSummary, OperatorSummary, SummarisedFindings } from '../../model/report.js';
import type { InputFile } from '../../model/report.js';
import type { Status } from '../../model/types.js';
import { documentHref } from '../uri.js';
import type {
  OscalAssessmentAssets,
  OscalFinding,
  OscalLocalObjective,
  OscalObservation,
  OscalOrigin,
  OscalParty,
  OscalProp,
  OscalResource,
  OscalReviewedControls,
  OscalRisk,
  OscalRiskStatus,
} from './types.js';
import { ixauditUuid } from './uuid.js';
import { countText } from '../number-text.js';

/**
 * How an ixaudit run becomes OSCAL assessment results: each finding that needs attention (one cause) is
 * an observation whose subjects are its occurrences (the first MAX_OBSERVATION_SUBJECTS) and whose
 * relevant evidence is the input files they are in (with each file's SHA-256); passing and
 * not-applicable findings are summed up in one observation per operator, control and status; each
 * operator × control is an OSCAL finding on the control's assessment objective (satisfied /
 * not-satisfied); each finding that fails, is waived, is not evidenced or could not be evaluated is a
 * risk. docs/interchange.md has the whole mapping.
 */

export const OSCAL_VERSION = '1.2.1';

/** Namespace of every property ixaudit defines (OSCAL reserves un-namespaced names for its own). */
export const IXAUDIT_NS = 'https://ixaudit.dev/ns/oscal';

/**
 * Subjects an observation lists at most: the first occurrences of its finding, in table order. The count
 * of all is in its `occurrences` property and description; findings.json lists every occurrence.
 */
export const MAX_OBSERVATION_SUBJECTS = 100;
/**
 * Subjects the observations of one document list together, at most (unless it has more observations
 * than this: each lists at least its first subject). A subject is about a kilobyte of pretty JSON: at
 * a hundred a cause, a sector run of 50 operators × 20,000 routes listed 714,537 of them in a 796 MB
 * document, longer than the longest string V8 (so any Node reader) can hold.
 */
export const MAX_DOCUMENT_SUBJECTS = 25_000;

/**
 * How many subjects each observation of a document with `observations` observations of findings lists:
 * MAX_OBSERVATION_SUBJECTS, fewer when they would pass MAX_DOCUMENT_SUBJECTS together, never none.
 */
export function subjectsPerObservation(observations: number): number {
  if (observations <= 0) return MAX_OBSERVATION_SUBJECTS;
  return Math.max(1, Math.min(MAX_OBSERVATION_SUBJECTS, Math.floor(MAX_DOCUMENT_SUBJECTS / observations)));
}
/** Example subjects a summary observation (passing, not applicable) names. */
export const SUMMARY_EXAMPLES = 5;
/** Causes an OSCAL finding's description lists; its related observations and risks link all of them. */
export const MAX_DESCRIBED_CAUSES = 100;

/** "file:line:column", or the file alone when the place is the whole file (line 0). */
function place(o: Pick<Occurrence, 'location'>): string {
  const { file, line, column } = o.location;
  return line > 0 ? `${file}:${line}:${column}` : file;
}

/** The audit date as an OSCAL date-time: the start of that day in UTC (the only time a run knows). */
export function auditTimestamp(auditDate: string): string {
  return `${auditDate}T00:00:00Z`;
}

/** A waiver applies through its expiry day, so its OSCAL deadline is the end of that day (UTC). */
export function waiverDeadline(expires: string): string {
  return `${expires}T23:59:59Z`;
}

/**
 * An ixaudit property. OSCAL strings may not be empty nor start or end with white space, and a markup
 * line may not break; a value that would be empty is left out.
 */
export function prop(name: string, value: string | number | boolean | undefined): OscalProp[] {
  const text = value === undefined ? '' : oneLine(String(value));
  return text ? [{ name, ns: IXAUDIT_NS, value: text }] : [];
}

/** Text for an OSCAL string or markup line: one line, trimmed. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export const TOOL_COMPONENT_UUID = ixauditUuid('component', 'ixaudit');
const PLATFORM_UUID = ixauditUuid('assessment-platform', 'ixaudit');

export function toolOrigin(): OscalOrigin {
  return { actors: [{ type: 'tool', 'actor-uuid': TOOL_COMPONENT_UUID }] };
}

/** ixaudit itself, the tool every observation, finding and risk originates from. */
export function assessmentAssets(toolVersion: string): OscalAssessmentAssets {
  return {
    components: [
      {
        uuid: TOOL_COMPONENT_UUID,
        type: 'software',
        title: 'ixaudit',
        description:
          'Audits mobile-telecom interconnect arrangements (carriers and ownership, contracts, routing tables, signalling firewalls) against a control catalog.',
        props: prop('version', toolVersion),
        status: { state: 'operational' },
      },
    ],
    'assessment-platforms': [
      {
        uuid: PLATFORM_UUID,
        title: `ixaudit ${toolVersion}`,
        'uses-components': [{ 'component-uuid': TOOL_COMPONENT_UUID }],
      },
    ],
  };
}

export function partyUuid(operator: string): string {
  return ixauditUuid('party', operator);
}

/** The audited operators are the parties the assessment is about. */
export function partyFor(operator: OperatorSummary): OscalParty {
  return {
    uuid: partyUuid(operator.id),
    type: 'organization',
    name: oneLine(operator.name) || operator.id,
    'short-name': operator.id,
    props: [...prop('operator', operator.id), ...prop('country', operator.country)],
  };
}

/** The id of a control's assessment objective in the plan's local definitions. */
export function objectiveId(control: string): string {
  return `${control}_obj`;
}

/** What the plan assesses for each control: its requirement, tested by the control's declarative check. */
export function localObjective(control: ControlSummary): OscalLocalObjective {
  return {
    'control-id': control.id,
    description: control.title,
    parts: [
      { id: objectiveId(control.id), name: 'assessment-objective', title: control.title, prose: control.requirement },
      {
        name: 'assessment-method',
        prose: `ixaudit evaluates the control's declarative check on every subject it applies to in each operator's submission (severity ${control.severity}).`,
        props: [{ name: 'method', ns: IXAUDIT_NS, value: 'TEST' }],
      },
    ],
  };
}

export function reviewedControls(controls: readonly ControlSummary[]): OscalReviewedControls {
  return {
    description: 'The controls of the ixaudit catalog in force for this audit, after the profile tailored it.',
    'control-selections': [{ 'include-controls': controls.map((c) => ({ 'control-id': c.id })) }],
  };
}

export function resourceUuid(input: Pick<InputFile, 'file' | 'sha256'>): string {
  return ixauditUuid('resource', input.file, input.sha256);
}

/**
 * Where the document is written, so its links to inputs resolve from it (documentHref): the folder,
 * and the working directory the input names are relative to.
 */
export interface HrefBase {
  documentDir: string;
  cwd?: string;
}

/**
 * Each input file in back-matter, with its SHA-256 so a reader can check the evidence is the file
 * audited; its link resolves relative to the document (see documentHref).
 */
export function inputResource(input: InputFile, base: HrefBase): OscalResource {
  return {
    uuid: resourceUuid(input),
    title: oneLine(input.file),
    props: [...prop('bytes', input.bytes), ...(input.builtin ? prop('builtin', 'true') : [])],
    rlinks: [
      {
        href: documentHref(input.file, base.documentDir, base.cwd),
        'media-type': 'application/yaml',
        hashes: [{ algorithm: 'SHA-256', value: input.sha256 }],
      },
    ],
  };
}

/** Statuses that make a risk. pass and not-applicable do not. */
const RISKY: ReadonlySet<Status> = new Set<Status>(['fail', 'waived', 'not-evidenced', 'error']);

export function hasRisk(finding: Finding): boolean {
  return RISKY.has(finding.status);
}

export function observationUuid(auditDate: string, finding: Finding): string {
  return ixauditUuid('observation', auditDate, finding.fingerprint);
}

/** A risk keeps its UUID from audit to audit (same control, operator and subject), as OSCAL asks of risks tracked over time. */
export function riskUuid(finding: Finding): string {
  return ixauditUuid('risk', finding.fingerprint);
}

/** The first subject and, for a finding with several occurrences, how many there are and how many are listed. */
function findingProps(finding: Finding, listed: number): OscalProp[] {
  const occurrences = finding.occurrences.length;
  return [
    ...prop('control', finding.control),
    ...prop('operator', finding.operator),
    ...prop('subject', finding.subject),
    ...prop('status', finding.status),
    ...prop('severity', finding.severity),
    ...prop('fingerprint', finding.fingerprint),
    ...(occurrences > 1 ? prop('occurrences', occurrences) : []),
    ...(occurrences > listed ? prop('occurrences-listed', listed) : []),
    ...prop('baseline-state', finding.baseline?.state),
    ...prop('previous-status', finding.baseline?.previousStatus),
    ...prop('waiver', finding.waiver?.id),
    ...prop('waiver-status', finding.waiver?.status),
    ...prop('waiver-expires', finding.waiver?.expires),
  ];
}

/**
 * The sentence that says where else a cause was found (nothing for one occurrence); `perObservation` is
 * how many subjects an observation lists (subjectsPerObservation), `of` names the observation.
 */
export function occurrencesSentence(finding: Finding, perObservation: number, of = 'this observation'): string {
  const occurrences = finding.occurrences;
  const n = occurrences.length;
  if (n <= 1) return '';
  const listed = Math.min(n, perObservation);
  return ` Found at ${countText(n)} subjects of ${finding.operator}${
    listed < n
      ? `: the first ${listed === 1 ? 'is the subject' : `${countText(listed)} are the subjects`} of ${of}, findings.json lists all ${countText(n)}.`
      : `, each a subject of ${of}.`
  }`;
}

/** An occurrence as an observation's subject: the operator's party, titled with the subject, located. */
function occurrenceSubject(operator: string, o: Occurrence): OscalObservation['subjects'][number] {
  return {
    'subject-uuid': partyUuid(operator),
    type: 'party',
    title: oneLine(`${operator} ${o.subject}`),
    props: [...prop('subject', o.subject), ...prop('location', place(o)), ...prop('fingerprint', o.fingerprint)],
  };
}

/**
 * One observation per finding that needs attention (one cause). Its subjects are the finding's
 * occurrences (the first `perObservation`, see subjectsPerObservation); its relevant evidence is each input file they are
 * in: a link to that file's back-matter resource (which carries the file's SHA-256), with the line and
 * column of the first occurrence there and how many occurrences the file holds, the YAML excerpt on
 * the first.
 */
export function observationFor(
  finding: Finding,
  auditDate: string,
  inputs: ReadonlyMap<string, InputFile>,
  base: HrefBase,
  perObservation = MAX_OBSERVATION_SUBJECTS,
): OscalObservation {
  const occurrences = finding.occurrences;
  const byFile = new Map<string, { first: Occurrence; count: number }>();
  for (const o of occurrences) {
    const entry = byFile.get(o.location.file);
    if (entry) entry.count++;
    else byFile.set(o.location.file, { first: o, count: 1 });
  }
  const excerpt = finding.excerpt?.length
    ? `\`\`\`yaml\n${finding.excerpt.map((l) => l.text).join('\n')}\n\`\`\``
    : undefined;
  return {
    uuid: observationUuid(auditDate, finding),
    title: oneLine(
      `${finding.control} ${finding.status}: ${finding.operator} ${finding.subject}${occurrences.length > 1 ? ` and ${countText(occurrences.length - 1)} more` : ''}`,
    ),
    description: finding.message + occurrencesSentence(finding, perObservation),
    props: findingProps(finding, perObservation),
    methods: ['TEST'],
    types: [hasRisk(finding) ? 'finding' : 'control-objective'],
    origins: [toolOrigin()],
    subjects: occurrences.slice(0, perObservation).map((o) => occurrenceSubject(finding.operator, o)),
    'relevant-evidence': [...byFile].map(([file, { first, count }], i) => {
      const input = inputs.get(file);
      const { line, column } = first.location;
      const at = line > 0 ? `${file}, line ${line}, column ${column}` : file;
      return {
        href: input ? `#${resourceUuid(input)}` : documentHref(file, base.documentDir, base.cwd),
        description: count > 1 ? `${at} (the first of ${countText(count)} occurrences in this file)` : at,
        props: [
          ...prop('file', file),
          ...(line > 0 ? [...prop('line', line), ...prop('column', column)] : []),
          ...(count > 1 ? prop('occurrences', count) : []),
          ...prop('sha256', input?.sha256),
        ],
        ...(excerpt && i === 0 ? { remarks: excerpt } : {}),
      };
    }),
    collected: auditTimestamp(auditDate),
  };
}

/**
 * A risk's status: fail → open; waived → deviation-approved, with the waiver's expiry as deadline;
 * not-evidenced and error → investigating (nobody knows yet whether the requirement is met).
 */
export function riskStatus(finding: Finding): OscalRiskStatus {
  switch (finding.status) {
    case 'waived':
      return 'deviation-approved';
    case 'fail':
      return 'open';
    default:
      return 'investigating';
  }
}

function riskStatement(finding: Finding, control: Pick<ControlSummary, 'requirement'>): string {
  const others = finding.occurrences.length - 1;
  const where = `${finding.subject}${others > 0 ? ` and ${countText(others)} other subject(s)` : ''} of operator ${finding.operator}`;
  switch (finding.status) {
    case 'not-evidenced':
      return `The submission does not show whether this requirement is met for ${where}: ${control.requirement}`;
    case 'error':
      return `The requirement could not be evaluated for ${where}: ${control.requirement}`;
    default:
      return `The requirement is not met for ${where} (${finding.severity} severity): ${control.requirement}`;
  }
}

/**
 * A waived finding's risk log: one entry, the deviation approved by the waiver, with its justification,
 * approver, ticket and compensating controls as declared, dated at the start of the audit date.
 */
function deviationLog(finding: Finding, waiver: WaiverOutcome | undefined, auditDate: string): OscalRisk['risk-log'] {
  if (finding.status !== 'waived' || !finding.waiver) return undefined;
  const decision = waiver ? waiverDecisionText(waiver) : '';
  return {
    entries: [
      {
        uuid: ixauditUuid('risk-log', finding.fingerprint, finding.waiver.id),
        title: oneLine(`Deviation approved by waiver ${finding.waiver.id} until ${finding.waiver.expires}`),
        description: decision || `Waiver ${finding.waiver.id} covers this finding until ${finding.waiver.expires}.`,
        start: `${auditDate}T00:00:00Z`,
        'status-change': 'deviation-approved',
      },
    ],
  };
}

export function riskFor(
  finding: Finding,
  control: Pick<ControlSummary, 'requirement'>,
  auditDate: string,
  waiver?: WaiverOutcome,
  perObservation = MAX_OBSERVATION_SUBJECTS,
): OscalRisk {
  const waived = finding.status === 'waived' && finding.waiver;
  const log = deviationLog(finding, waiver, auditDate);
  return {
    uuid: riskUuid(finding),
    title: oneLine(`${finding.control} ${finding.title}: ${finding.operator} ${finding.subject}`),
    description: finding.message + occurrencesSentence(finding, perObservation, 'the related observation'),
    statement: riskStatement(finding, control),
    props: findingProps(finding, perObservation),
    status: riskStatus(finding),
    origins: [toolOrigin()],
    characterizations: [
      { origin: toolOrigin(), facets: [{ name: 'severity', system: IXAUDIT_NS, value: finding.severity }] },
    ],
    ...(waived ? { deadline: waiverDeadline(finding.waiver!.expires) } : {}),
    ...(finding.remediation
      ? {
          remediations: [
            {
              uuid: ixauditUuid('remediation', finding.fingerprint),
              lifecycle: 'recommendation' as const,
              title: oneLine(`Remediate ${finding.control}`),
              description: finding.remediation,
            },
          ],
        }
      : {}),
    ...(log ? { 'risk-log': log } : {}),
    'related-observations': [{ 'observation-uuid': observationUuid(auditDate, finding) }],
  };
}

export function summaryObservationUuid(
  auditDate: string,
  group: Pick<SummarisedFindings, 'operator' | 'control' | 'status'>,
): string {
  return ixauditUuid('observation', auditDate, group.operator, group.control, group.status, 'summary');
}

/**
 * The passing and not-applicable verdicts of one operator on one control, summed up: the occurrences of
 * its listed findings of that status and the route findings counted rather than listed (findings.json
 * `summarised`), with the first subjects as examples.
 */
export type StatusSummary = SummarisedFindings;

/**
 * The passing and not-applicable verdicts as summaries, one per operator, control and status, in order
 * of first appearance (listed findings, then counted ones).
 */
export function statusSummaries(
  findings: readonly Finding[],
  summarised: readonly SummarisedFindings[],
): StatusSummary[] {
  const summaries = new Map<string, StatusSummary>();
  const add = (
    operator: string,
    control: string,
    status: 'pass' | 'not-applicable',
    count: number,
    examples: readonly string[],
  ) => {
    const key = `${operator}\u0000${control}\u0000${status}`;
    let summary = summaries.get(key);
    if (!summary) {
      summary = { operator, control, status, count: 0, examples: [] };
      summaries.set(key, summary);
    }
    summary.count += count;
    for (const e of examples) if (summary.examples.length < SUMMARY_EXAMPLES) summary.examples.push(e);
  };
  for (const f of findings) {
    if (f.status !== 'pass' && f.status !== 'not-applicable') continue;
    const occurrences = f.occurrences;
    add(
      f.operator,
      f.control,
      f.status,
      occurrences.length,
      occurrences.slice(0, SUMMARY_EXAMPLES).map((o) => o.subject),
    );
  }
  for (const g of summarised) add(g.operator, g.control, g.status, g.count, g.examples);
  return [...summaries.values()];
}

/**
 * One observation for all the subjects of an operator that passed a control, or to which it did not
 * apply: how many, and a few examples. Passing subjects need no one's attention, so they are counted
 * rather than described one by one.
 */
export function summaryObservationFor(group: StatusSummary, auditDate: string): OscalObservation {
  const verb = group.status === 'pass' ? 'passed' : 'were not applicable';
  const examples = group.examples.length ? ` Examples: ${group.examples.join(', ')}.` : '';
  return {
    uuid: summaryObservationUuid(auditDate, group),
    title: oneLine(`${group.control} ${group.status}: ${group.operator}, ${countText(group.count)} subject(s)`),
    description: `${countText(group.count)} subject(s) of ${group.operator} ${verb}; they are counted rather than listed one by one (findings.json lists them).${examples}`,
    props: [
      ...prop('control', group.control),
      ...prop('operator', group.operator),
      ...prop('status', group.status),
      ...prop('count', group.count),
    ],
    methods: ['TEST'],
    types: ['control-objective'],
    origins: [toolOrigin()],
    subjects: [
      {
        'subject-uuid': partyUuid(group.operator),
        type: 'party',
        title: oneLine(`${group.operator} subjects (${countText(group.count)})`),
        props: prop('subjects-counted', group.count),
      },
    ],
    collected: auditTimestamp(auditDate),
  };
}

/** An operator's verdicts on one control: its findings that need attention, and its passing and not-applicable summaries. */
export interface ControlVerdicts {
  problems: readonly Finding[];
  summaries: readonly StatusSummary[];
}

/** How many subjects of these verdicts have a status: occurrences of the problems, counts of the summaries. */
function subjectCount(verdicts: ControlVerdicts, status: Status): number {
  let n = 0;
  for (const f of verdicts.problems) if (f.status === status) n += f.occurrences.length;
  for (const g of verdicts.summaries) if (g.status === status) n += g.count;
  return n;
}

/** What an operator's verdicts (every subject, listed or counted) on one control say about its objective. */
export function objectiveStatus(
  verdicts: ControlVerdicts,
  notEvidencedIsFailure: boolean,
): OscalFinding['target']['status'] {
  const count = (status: Status) => subjectCount(verdicts, status);
  const failed = count('fail') + count('waived') + (notEvidencedIsFailure ? count('not-evidenced') : 0);
  if (failed > 0) return { state: 'not-satisfied', reason: 'fail' };
  if (count('not-evidenced') + count('error') > 0) {
    return {
      state: 'not-satisfied',
      reason: 'other',
      remarks: `${countText(count('not-evidenced'))} subject(s) not evidenced, ${countText(count('error'))} could not be evaluated.`,
    };
  }
  if (count('pass') > 0) return { state: 'satisfied', reason: 'pass' };
  return { state: 'satisfied', reason: 'other', remarks: 'The control applies to none of the operator’s subjects.' };
}

const STATUS_ORDER: readonly Status[] = ['fail', 'waived', 'not-evidenced', 'error', 'pass', 'not-applicable'];

function countsText(verdicts: ControlVerdicts): string {
  return STATUS_ORDER.map((status) => [status, subjectCount(verdicts, status)] as const)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${countText(n)} ${status}`)
    .join(', ');
}

/**
 * One OSCAL finding per operator and control: the control's objective, judged over all of the operator's
 * subjects; its description lists the causes that need attention (the first MAX_DESCRIBED_CAUSES), and
 * it links every observation and risk of them.
 */
export function findingFor(
  control: ControlSummary,
  operator: string,
  verdicts: ControlVerdicts,
  auditDate: string,
  notEvidencedIsFailure: boolean,
): OscalFinding {
  const { problems, summaries } = verdicts;
  const risks = problems.map((f) => ({ 'risk-uuid': riskUuid(f) }));
  const described = problems.slice(0, MAX_DESCRIBED_CAUSES).map((f) => {
    const others = f.occurrences.length - 1;
    return `- ${f.subject}${others > 0 ? ` and ${countText(others)} more` : ''} (${f.status}): ${f.message}`;
  });
  if (problems.length > described.length)
    described.push(
      `- and ${countText(problems.length - described.length)} more cause(s), each with its observation and risk.`,
    );
  const subjects = problems.reduce((n, f) => n + f.occurrences.length, 0) + summaries.reduce((n, g) => n + g.count, 0);
  return {
    uuid: ixauditUuid('finding', operator, control.id),
    title: oneLine(`${control.id} ${control.title}: ${operator}`),
    description: [
      `${control.requirement} Judged over ${countText(subjects)} subject(s) of ${operator}: ${countsText(verdicts)}.`,
      ...(described.length ? ['', ...described] : []),
    ].join('\n'),
    props: [...prop('control', control.id), ...prop('operator', operator), ...prop('severity', control.severity)],
    origins: [toolOrigin()],
    target: {
      type: 'objective-id',
      'target-id': objectiveId(control.id),
      title: oneLine(control.title),
      status: objectiveStatus(verdicts, notEvidencedIsFailure),
    },
    'related-observations': [
      ...problems.map((f) => ({ 'observation-uuid': observationUuid(auditDate, f) })),
      ...summaries.map((g) => ({ 'observation-uuid': summaryObservationUuid(auditDate, g) })),
    ],
    ...(risks.length ? { 'related-risks': risks } : {}),
  };
}
