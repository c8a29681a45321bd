import type { InputFile } from '../../model/report.js';
import type { Finding, WaiverOutcome } from '../../model/finding.js';
import { byKeys, compareText } from '../../model/order.js';
import type {
  AuditReport,
  AuditResult,
  ControlSummary,
  InventoryCarrier,
  InventoryOperator,
  SummarisedFindings,
  Verdict,
} from '../../model/report.js';
import {
  PROTOCOLS,
  SEVERITIES,
  STATUSES,
  severityRank,
  type Diagnostic,
  type Severity,
  type Status,
} from '../../model/types.js';
import type { InventoryRoute } from '../../model/report.js';
import { reportId } from '../manifest.js';

/**
 * What one operator's PDF shows, computed from the AuditReport by pure functions: the layout code only
 * draws this, and tests can check the figures without opening a PDF.
 */
export interface OperatorReport {
  reportId: string;
  operator: InventoryOperator;
  run: AuditResult['run'];
  verdict: Verdict;
  /** What could not be loaded or evaluated for this operator (the cover names it); empty when complete. */
  incomplete: string[];
  counts: Record<Status, number>;
  total: number;
  bySeverity: Record<Severity, Record<Status, number>>;
  /** Findings that need a reader's attention (fail, not-evidenced, error, waived), grouped by family then control. */
  families: FamilyFindings[];
  /** Every control in force, with this operator's counts and its worst status. */
  controlResults: ControlResult[];
  /** Findings needing action (fail, not-evidenced, error) per family and severity: the first chart. */
  familySeverity: Array<{ family: string; bySeverity: Record<Severity, number>; passed: number }>;
  /** Share of each protocol's traffic touching high-risk carriers: the second chart. */
  trafficShares: TrafficShare[];
  exposures: Exposure[];
  waivers: WaiverOutcome[];
  inputs: InputFile[];
  errors: Diagnostic[];
  carriers: InventoryCarrier[];
  scope: Scope;
  /** The operator's routes by subject reference, to describe failures listed compactly (by destination and carrier). */
  routesByRef: ReadonlyMap<string, InventoryRoute>;
}

export interface FamilyFindings {
  family: string;
  controls: Array<{ control: ControlSummary; findings: Finding[] }>;
}

export interface ControlResult {
  control: ControlSummary;
  counts: Record<Status, number>;
  /** The worst status among its findings (fail before error before not-evidenced …); none when it had no subject. */
  result: Status | 'none';
}

export interface TrafficShare {
  protocol: string;
  avoidable: number;
  unavoidable: number;
  limit: number;
  /** Where the figure comes from: the ICX-RT-04 finding, or (when that control did not measure it) the routes. */
  source: 'ICX-RT-04' | 'routes';
}

export interface Exposure {
  control: string;
  title: string;
  severity: Severity;
  failed: number;
  subject: string;
  location: string;
  summary: string;
}

export interface Scope {
  tables: number;
  routes: number;
  activeRoutes: number;
  protocols: string[];
  carriers: number;
  highRiskCarriers: number;
  agreements: number;
  files: number;
}

/** Families in the catalog's order (spec/controls.md); any other family follows alphabetically. */
export const FAMILY_ORDER = ['OWN', 'RT', 'FW', 'ENC', 'CT', 'MON', 'RES'];

export const ATTENTION: ReadonlySet<Status> = new Set(['fail', 'not-evidenced', 'error', 'waived']);
const ACTION: ReadonlySet<Status> = new Set(['fail', 'not-evidenced', 'error']);

export function familyRank(family: string): string {
  const i = FAMILY_ORDER.indexOf(family);
  return i >= 0 ? String(i).padStart(3, '0') : `999${family}`;
}

function emptyCounts(): Record<Status, number> {
  return Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
}

/**
 * Occurrences of a finding (the subjects that share its cause) listed under it, with their file and line;
 * the rest are counted, each being in findings.json and occurrences.csv.
 */
export const OCCURRENCE_LIMIT = 5;

/** How many subjects a finding stands for: one per occurrence (the summary counts them so). */
export function occurrenceCount(f: Finding): number {
  return f.occurrences.length;
}

function countStatuses(findings: Finding[]): Record<Status, number> {
  const counts = emptyCounts();
  for (const f of findings) counts[f.status] += occurrenceCount(f);
  return counts;
}

/** The worst status, in the order STATUSES lists them (fail, error, not-evidenced, waived, pass, not-applicable). */
export function worstStatus(counts: Record<Status, number>): Status | 'none' {
  return STATUSES.find((s) => counts[s] > 0) ?? 'none';
}

/** The findings that need attention, grouped by family (catalog order) and control (id order). */
export function groupAttention(findings: Finding[], controls: ControlSummary[]): FamilyFindings[] {
  const byId = new Map(controls.map((c) => [c.id, c]));
  const families = new Map<string, Map<string, Finding[]>>();
  for (const f of findings) {
    if (!ATTENTION.has(f.status)) continue;
    const controlsOfFamily = families.get(f.family) ?? new Map<string, Finding[]>();
    families.set(f.family, controlsOfFamily);
    // push, never copy: a control can fail on tens of thousands of routes (copying was quadratic).
    const list = controlsOfFamily.get(f.control);
    if (list) list.push(f);
    else controlsOfFamily.set(f.control, [f]);
  }
  return [...families.entries()]
    .sort(([a], [b]) => compareText(familyRank(a), familyRank(b)))
    .map(([family, map]) => ({
      family,
      controls: [...map.entries()]
        .sort(([a], [b]) => compareText(a, b))
        .map(([id, list]) => ({
          control: byId.get(id) ?? syntheticControl(list[0]),
          findings: [...list].sort(
            (a, b) => statusRank(a.status) - statusRank(b.status) || compareText(a.subject, b.subject),
          ),
        })),
    }));
}

function statusRank(status: Status): number {
  return STATUSES.indexOf(status);
}

/** A finding whose control is not in the catalog in force (the engine's own error finding): described by the finding. */
function syntheticControl(f: Finding): ControlSummary {
  return {
    id: f.control,
    family: f.family,
    title: f.title,
    requirement: f.title,
    rationale: '',
    remediation: f.remediation,
    severity: f.severity,
    references: [],
    parameters: {},
  };
}

/**
 * Every control's counts per status: the listed findings plus the route findings findings.json counts
 * instead of listing (`summarised`, for operators with very large tables), so the table tells the whole story.
 */
export function controlResults(
  findings: Finding[],
  controls: ControlSummary[],
  summarised: readonly SummarisedFindings[] = [],
): ControlResult[] {
  const byControl = new Map<string, Record<Status, number>>();
  const countsOf = (id: string) => {
    let counts = byControl.get(id);
    if (!counts) byControl.set(id, (counts = emptyCounts()));
    return counts;
  };
  for (const f of findings) countsOf(f.control)[f.status] += occurrenceCount(f);
  for (const s of summarised) countsOf(s.control)[s.status] += s.count;
  return [...controls]
    .sort(
      byKeys(
        (c) => familyRank(c.family),
        (c) => c.id,
      ),
    )
    .map((control) => {
      const counts = byControl.get(control.id) ?? emptyCounts();
      return { control, counts, result: worstStatus(counts) };
    });
}

export function familySeverity(
  findings: Finding[],
  controls: ControlSummary[],
  summarised: readonly SummarisedFindings[] = [],
): OperatorReport['familySeverity'] {
  const familyOf = new Map(controls.map((c) => [c.id, c.family]));
  const families = [...new Set([...controls.map((c) => c.family), ...findings.map((f) => f.family)])].sort((a, b) =>
    compareText(familyRank(a), familyRank(b)),
  );
  return families.map((family) => {
    const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    let passed = 0;
    for (const f of findings) {
      if (f.family !== family) continue;
      if (ACTION.has(f.status)) bySeverity[f.severity] += occurrenceCount(f);
      if (f.status === 'pass') passed += occurrenceCount(f);
    }
    for (const s of summarised) if (s.status === 'pass' && familyOf.get(s.control) === family) passed += s.count;
    return { family, bySeverity, passed };
  });
}

/**
 * Per protocol, the share of traffic on routes touching a high-risk carrier. ICX-RT-04's figure is used
 * when it measured the protocol (so the chart agrees with the finding); otherwise it is summed from the
 * operator's active routes the same way: avoidable when any high-risk hop is avoidable.
 */
export function trafficShares(report: AuditReport, operatorId: string): TrafficShare[] {
  const limit = Number(report.result.run.profile.parameters.maxHighRiskTrafficShare ?? 0);
  const measured = new Map<string, TrafficShare>();
  for (const f of report.result.findings) {
    if (f.operator !== operatorId || f.control !== 'ICX-RT-04') continue;
    // The figures may be an occurrence's own evidence (one occurrence per routing table) or the finding's.
    for (const o of f.occurrences) {
      const evidence: Record<string, unknown> = { ...f.evidence, ...o.evidence };
      if (typeof evidence.protocol !== 'string' || typeof evidence.avoidableShare !== 'number') continue;
      measured.set(evidence.protocol, {
        protocol: evidence.protocol,
        avoidable: evidence.avoidableShare,
        unavoidable: Number(evidence.unavoidableShare ?? 0),
        limit: Number(evidence.limit ?? limit),
        source: 'ICX-RT-04',
      });
    }
  }
  const routes = report.inventory.routes.filter((r) => r.operator === operatorId);
  const protocols = [...new Set(routes.map((r) => r.protocol))];
  for (const protocol of protocols) {
    if (measured.has(protocol)) continue;
    let avoidable = 0;
    let unavoidable = 0;
    for (const r of routes) {
      if (r.protocol !== protocol || r.status !== 'active' || r.trafficShare === null) continue;
      const risky = r.hops.filter((h) => h.highRisk);
      if (risky.length === 0) continue;
      if (risky.every((h) => h.unavoidable)) unavoidable += r.trafficShare;
      else avoidable += r.trafficShare;
    }
    measured.set(protocol, {
      protocol,
      avoidable: round2(avoidable),
      unavoidable: round2(unavoidable),
      limit,
      source: 'routes',
    });
  }
  const order = (p: string) => (PROTOCOLS as readonly string[]).indexOf(p);
  return [...measured.values()].sort(
    (a, b) => order(a.protocol) - order(b.protocol) || compareText(a.protocol, b.protocol),
  );
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The first clause of a finding's message: the plain statement, without the evidence that follows. */
export function plainSummary(message: string, max = 170): string {
  // The first ": " or ". " outside parentheses ends the plain statement.
  let depth = 0;
  let cut = -1;
  for (let i = 0; i < message.length - 1 && cut < 0; i++) {
    const ch = message[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && (ch === ':' || ch === '.') && message[i + 1] === ' ') cut = i;
  }
  const first = (cut > 30 ? message.slice(0, cut) : message).replace(/[.:]$/, '');
  return first.length > max ? `${first.slice(0, max - 1).trimEnd()}…` : `${first}.`;
}

/** The top exposures: failed controls, most severe first, then by how many subjects (occurrences) failed. */
export function topExposures(findings: Finding[], limit = 5): Exposure[] {
  const byControl = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.status !== 'fail' && f.status !== 'error') continue;
    const list = byControl.get(f.control);
    if (list) list.push(f);
    else byControl.set(f.control, [f]);
  }
  return [...byControl.values()]
    .map((list) => {
      const first = list.reduce((a, b) => (compareText(b.subject, a.subject) < 0 ? b : a));
      return {
        control: first.control,
        title: first.title,
        severity: first.severity,
        failed: list.reduce((sum, f) => sum + occurrenceCount(f), 0),
        subject: first.subject,
        location: `${first.location.file}:${first.location.line}`,
        summary: plainSummary(first.message),
      };
    })
    .sort(
      (a, b) =>
        severityRank(a.severity) - severityRank(b.severity) || b.failed - a.failed || compareText(a.control, b.control),
    )
    .slice(0, limit);
}

export function scopeOf(report: AuditReport, operatorId: string, carriers: InventoryCarrier[]): Scope {
  const routes = report.inventory.routes.filter((r) => r.operator === operatorId);
  return {
    tables: new Set(routes.map((r) => r.table)).size,
    routes: routes.length,
    activeRoutes: routes.filter((r) => r.status === 'active').length,
    protocols: [...new Set(routes.map((r) => r.protocol))].sort(
      (a, b) => (PROTOCOLS as readonly string[]).indexOf(a) - (PROTOCOLS as readonly string[]).indexOf(b),
    ),
    carriers: carriers.length,
    highRiskCarriers: carriers.filter((c) => c.highRisk).length,
    agreements: report.inventory.agreements.filter((a) => a.operator === operatorId).length,
    files: report.result.run.inputs.filter((i) => !i.builtin).length,
  };
}

/**
 * The input files that concern one operator: those its findings, routes, agreements or waivers point into,
 * the shipped files, the profile, and files no operator's data points into (they cannot be attributed).
 * Files only other operators' data points into are left out: one operator's report does not list another
 * operator's submission.
 */
export function relevantFiles(report: AuditReport, operatorId: string): Set<string> {
  const users = new Map<string, Set<string>>();
  const use = (file: string, operator: string) => {
    const set = users.get(file) ?? new Set<string>();
    set.add(operator);
    users.set(file, set);
  };
  for (const f of report.result.findings) {
    use(f.location.file, f.operator);
    for (const o of f.occurrences) use(o.location.file, f.operator);
  }
  for (const r of report.inventory.routes) use(r.location.file, r.operator);
  for (const a of report.inventory.agreements) use(a.location.file, a.operator);
  for (const w of report.result.waivers) use(w.location.file, w.operator);
  const keep = new Set<string>();
  for (const input of report.result.run.inputs) {
    const operators = users.get(input.file);
    if (input.builtin || input.file === report.result.run.profile.file || !operators || operators.has(operatorId))
      keep.add(input.file);
  }
  return keep;
}

/** The operators a PDF is written for: every operator in the run's summary, in id order. */
export function operatorsOf(report: AuditReport): InventoryOperator[] {
  const known = new Map(report.inventory.operators.map((o) => [o.id, o]));
  return report.result.summary.operators
    .map((o) => known.get(o.id) ?? { id: o.id, name: o.name, country: o.country, networks: [], plmns: [] })
    .sort(byKeys((o) => o.id));
}

export function operatorReport(report: AuditReport, operator: InventoryOperator): OperatorReport {
  const { result } = report;
  const findings = result.findings.filter((f) => f.operator === operator.id);
  const summarised = (result.summarised ?? []).filter((s) => s.operator === operator.id);
  const summary = result.summary.operators.find((o) => o.id === operator.id);
  // The run's summary has the operator's counts per status (subjects, counted route findings included):
  // they are shown as they are. Only an operator missing from it gets counts made here, the same way.
  const counts = summary ? { ...emptyCounts(), ...summary.counts } : countStatuses(findings);
  const severityOf = new Map(result.controls.map((c) => [c.id, c.severity]));
  // Severity × status per operator is not in the summary: one per occurrence, as the summary counts.
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, emptyCounts()])) as Record<
    Severity,
    Record<Status, number>
  >;
  for (const f of findings) bySeverity[f.severity][f.status] += occurrenceCount(f);
  for (const s of summarised) {
    if (!summary) counts[s.status] += s.count;
    bySeverity[severityOf.get(s.control) ?? 'info'][s.status] += s.count;
  }
  const carriers = report.inventory.carriers.filter((c) => c.usedBy.includes(operator.id));
  const files = relevantFiles(report, operator.id);
  const known = new Set(result.run.inputs.map((i) => i.file));
  return {
    // The run's id from the evidence manifest (manifest.json's reportId), the same in every output of the run.
    reportId: reportId(result),
    operator,
    run: result.run,
    // The run's summary decides the verdict; an operator missing from it has no verdict to show but ERROR.
    verdict: summary?.result ?? 'ERROR',
    incomplete: summary?.incomplete ?? ['this operator is missing from the run summary'],
    counts,
    total: STATUSES.reduce((sum, st) => sum + counts[st], 0),
    bySeverity,
    families: groupAttention(findings, result.controls),
    controlResults: controlResults(findings, result.controls, summarised),
    familySeverity: familySeverity(findings, result.controls, summarised),
    routesByRef: new Map(report.inventory.routes.filter((r) => r.operator === operator.id).map((r) => [r.ref, r])),
    trafficShares: trafficShares(report, operator.id),
    exposures: topExposures(findings),
    waivers: result.waivers.filter((w) => w.operator === operator.id),
    inputs: result.run.inputs.filter((i) => files.has(i.file)),
    // Problems in this operator's files, and those in no input file (a missing path, a bad option).
    errors: result.errors.filter((e) => files.has(e.file) || !known.has(e.file)),
    carriers,
    scope: scopeOf(report, operator.id, carriers),
  };
}

/** Failures beyond the rows a control's table lists, gathered by what they share, so each is still counted. */
export interface FailureGroup {
  status: Status;
  count: number;
  /** For route findings of known routes: the routing table, destination country and primary carrier they share (else empty). */
  table: string;
  country: string;
  carrier: string;
  /** The subject kind (RoutingTable, Carrier, InterconnectAgreement …). */
  kind: string;
  /** The first and last subject of the group in code-point order: the range a reader looks up. */
  first: string;
  last: string;
  file: string;
  fromLine: number;
  toLine: number;
}

/**
 * Groups the occurrences of findings by status and, for routes, by table, destination country and primary
 * carrier (else by subject kind), largest group first. The counts add up to the occurrences of the findings
 * given: none is dropped.
 */
export function groupFailures(
  findings: readonly Finding[],
  routesByRef: ReadonlyMap<string, InventoryRoute>,
): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  // Every occurrence is a subject of its own: a cause spread over several tables lands in several groups.
  for (const f of findings) {
    for (const o of f.occurrences) {
      const route = routesByRef.get(o.subject);
      const table = route?.table ?? '';
      const country = route?.destination.country ?? '';
      const carrier = route?.hops.find((h) => h.position === 'primary')?.carrier ?? '';
      const kind = o.subject.split(/[/#]/)[0];
      const key = [f.status, kind, table, country, carrier, o.location.file].join('\u0000');
      const g = groups.get(key);
      if (!g) {
        groups.set(key, {
          status: f.status,
          count: 1,
          table,
          country,
          carrier,
          kind,
          first: o.subject,
          last: o.subject,
          file: o.location.file,
          fromLine: o.location.line,
          toLine: o.location.line,
        });
        continue;
      }
      g.count++;
      if (compareText(o.subject, g.first) < 0) g.first = o.subject;
      if (compareText(o.subject, g.last) > 0) g.last = o.subject;
      g.fromLine = Math.min(g.fromLine, o.location.line);
      g.toLine = Math.max(g.toLine, o.location.line);
    }
  }
  return [...groups.values()].sort(
    (a, b) =>
      b.count - a.count ||
      statusRank(a.status) - statusRank(b.status) ||
      compareText(
        [a.kind, a.table, a.country, a.carrier, a.file].join('\u0000'),
        [b.kind, b.table, b.country, b.carrier, b.file].join('\u0000'),
      ),
  );
}
