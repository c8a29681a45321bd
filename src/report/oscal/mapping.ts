import type { Finding, WaiverOutcome } from '../../model/finding.js';
import { waiverDecisionText } from '../waiver-text.js';
import type { ControlSummary, OperatorSummary, SummarisedFindings } from '../../model/report.js';
import type { InputFile } from '../../model/report.js';
import type { Status } from '../../model/types.js';
import { fileHref } from '../uri.js';
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

/**
 * How an ixaudit run becomes OSCAL assessment results: each finding is an observation (with the input
 * file it points at, and that file's SHA-256, as relevant evidence); each operator × control is an
 * OSCAL finding on the control's assessment objective (satisfied / not-satisfied); each finding that
 * fails, is waived, is not evidenced or could not be evaluated is a risk. docs/interchange.md has the
 * whole mapping.
 */

export const OSCAL_VERSION = '1.2.1';
/** Namespace of every property ixaudit defines (OSCAL reserves un-namespaced names for its own). */
export const IXAUDIT_NS = 'https://ixaudit.dev/ns/oscal';

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

/** Each input file in back-matter, with its SHA-256 so a reader can check the evidence is the file audited. */
export function inputResource(input: InputFile): OscalResource {
  return {
    uuid: resourceUuid(input),
    title: oneLine(input.file),
    props: [...prop('bytes', input.bytes), ...(input.builtin ? prop('builtin', 'true') : [])],
    rlinks: [
      {
        href: fileHref(input.file),
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

function findingProps(finding: Finding): OscalProp[] {
  return [
    ...prop('control', finding.control),
    ...prop('operator', finding.operator),
    ...prop('subject', finding.subject),
    ...prop('status', finding.status),
    ...prop('severity', finding.severity),
    ...prop('fingerprint', finding.fingerprint),
    ...prop('baseline-state', finding.baseline?.state),
    ...prop('previous-status', finding.baseline?.previousStatus),
    ...prop('waiver', finding.waiver?.id),
    ...prop('waiver-status', finding.waiver?.status),
    ...prop('waiver-expires', finding.waiver?.expires),
  ];
}

/**
 * One observation per finding. Its relevant evidence is the input file the finding points at: a link to
 * that file's back-matter resource (which carries the file's SHA-256), with the line and column.
 */
export function observationFor(
  finding: Finding,
  auditDate: string,
  inputs: ReadonlyMap<string, InputFile>,
): OscalObservation {
  const { file, line, column } = finding.location;
  const input = inputs.get(file);
  const excerpt = finding.excerpt?.length
    ? `\`\`\`yaml\n${finding.excerpt.map((l) => l.text).join('\n')}\n\`\`\``
    : undefined;
  return {
    uuid: observationUuid(auditDate, finding),
    title: oneLine(`${finding.control} ${finding.status}: ${finding.operator} ${finding.subject}`),
    description: finding.message,
    props: findingProps(finding),
    methods: ['TEST'],
    types: [hasRisk(finding) ? 'finding' : 'control-objective'],
    origins: [toolOrigin()],
    subjects: [
      {
        'subject-uuid': partyUuid(finding.operator),
        type: 'party',
        title: oneLine(`${finding.operator} ${finding.subject}`),
        props: prop('subject', finding.subject),
      },
    ],
    'relevant-evidence': [
      {
        href: input ? `#${resourceUuid(input)}` : fileHref(file),
        description: line > 0 ? `${file}, line ${line}, column ${column}` : file,
        props: [
          ...prop('file', file),
          ...(line > 0 ? [...prop('line', line), ...prop('column', column)] : []),
          ...prop('sha256', input?.sha256),
        ],
        ...(excerpt ? { remarks: excerpt } : {}),
      },
    ],
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
  const where = `${finding.subject} of operator ${finding.operator}`;
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
): OscalRisk {
  const waived = finding.status === 'waived' && finding.waiver;
  const log = deviationLog(finding, waiver, auditDate);
  return {
    uuid: riskUuid(finding),
    title: oneLine(`${finding.control} ${finding.title}: ${finding.operator} ${finding.subject}`),
    description: finding.message,
    statement: riskStatement(finding, control),
    props: findingProps(finding),
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

export function summaryObservationUuid(auditDate: string, group: SummarisedFindings): string {
  return ixauditUuid('observation', auditDate, group.operator, group.control, group.status, 'counted');
}

/**
 * Operators with very large routing tables have their passing and not-applicable route findings counted
 * rather than listed (findings.json `summarised`): one observation per count, with example subjects.
 */
export function summaryObservationFor(group: SummarisedFindings, auditDate: string): OscalObservation {
  const verb = group.status === 'pass' ? 'passed' : 'were not applicable';
  const examples = group.examples.length ? ` Examples: ${group.examples.join(', ')}.` : '';
  return {
    uuid: summaryObservationUuid(auditDate, group),
    title: oneLine(`${group.control} ${group.status}: ${group.operator}, ${group.count} route subject(s) counted`),
    description: `${group.count} route subject(s) of ${group.operator} ${verb}; they are counted rather than listed one by one.${examples}`,
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
        title: oneLine(`${group.operator} routes (${group.count})`),
        props: prop('subjects-counted', group.count),
      },
    ],
    collected: auditTimestamp(auditDate),
  };
}

/** What an operator's findings (listed and counted) on one control say about its objective. */
export function objectiveStatus(
  findings: readonly Finding[],
  summarised: readonly SummarisedFindings[],
  notEvidencedIsFailure: boolean,
): OscalFinding['target']['status'] {
  const count = (status: Status) =>
    findings.filter((f) => f.status === status).length +
    summarised.filter((g) => g.status === status).reduce((n, g) => n + g.count, 0);
  const failed = count('fail') + count('waived') + (notEvidencedIsFailure ? count('not-evidenced') : 0);
  if (failed > 0) return { state: 'not-satisfied', reason: 'fail' };
  if (count('not-evidenced') + count('error') > 0) {
    return {
      state: 'not-satisfied',
      reason: 'other',
      remarks: `${count('not-evidenced')} subject(s) not evidenced, ${count('error')} could not be evaluated.`,
    };
  }
  if (count('pass') > 0) return { state: 'satisfied', reason: 'pass' };
  return { state: 'satisfied', reason: 'other', remarks: 'The control applies to none of the operator’s subjects.' };
}

function countsText(findings: readonly Finding[], summarised: readonly SummarisedFindings[]): string {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.status, (counts.get(f.status) ?? 0) + 1);
  for (const g of summarised) counts.set(g.status, (counts.get(g.status) ?? 0) + g.count);
  return [...counts.entries()].map(([status, n]) => `${n} ${status}`).join(', ');
}

/** One OSCAL finding per operator and control: the control's objective, judged over all of the operator's subjects. */
export function findingFor(
  control: ControlSummary,
  operator: string,
  findings: readonly Finding[],
  summarised: readonly SummarisedFindings[],
  auditDate: string,
  notEvidencedIsFailure: boolean,
): OscalFinding {
  const risks = findings.filter(hasRisk).map((f) => ({ 'risk-uuid': riskUuid(f) }));
  const problems = findings.filter(hasRisk).map((f) => `- ${f.subject} (${f.status}): ${f.message}`);
  const subjects = findings.length + summarised.reduce((n, g) => n + g.count, 0);
  return {
    uuid: ixauditUuid('finding', operator, control.id),
    title: oneLine(`${control.id} ${control.title}: ${operator}`),
    description: [
      `${control.requirement} Judged over ${subjects} subject(s) of ${operator}: ${countsText(findings, summarised)}.`,
      ...(problems.length ? ['', ...problems] : []),
    ].join('\n'),
    props: [...prop('control', control.id), ...prop('operator', operator), ...prop('severity', control.severity)],
    origins: [toolOrigin()],
    target: {
      type: 'objective-id',
      'target-id': objectiveId(control.id),
      title: oneLine(control.title),
      status: objectiveStatus(findings, summarised, notEvidencedIsFailure),
    },
    'related-observations': [
      ...findings.map((f) => ({ 'observation-uuid': observationUuid(auditDate, f) })),
      ...summarised.map((g) => ({ 'observation-uuid': summaryObservationUuid(auditDate, g) })),
    ],
    ...(risks.length ? { 'related-risks': risks } : {}),
  };
}
