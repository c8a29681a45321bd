import type { InputFile } from '../../model/report.js';
import type { Finding, WaiverOutcome } from '../../model/finding.js';
import { compareText } from '../../model/order.js';
import type {
  AuditResult,
  ControlSummary,
  InventoryCarrier,
  InventoryOperator,
  InventoryRoute,
  Verdict,
} from '../../model/report.js';
import {
  ATTENTION_STATUSES,
  compareProtocols,
  SEVERITIES,
  STATUSES,
  severityRank,
  type Diagnostic,
  type Severity,
  type Status,
} from '../../model/types.js';
import { reportId } from '../manifest.js';
import type { ControlView, OperatorView, Presentation, TrafficShare } from '../view/index.js';
import { familyRank, syntheticControl } from '../view/operator.js';

export type { TrafficShare } from '../view/index.js';

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
  /** The same carriers by id: a route finding's evidence names carriers, whose chains the PDF draws. */
  carriersById: ReadonlyMap<string, InventoryCarrier>;
  scope: Scope;
  /** The operator's routes by subject reference, to describe failures listed compactly (by destination and carrier). */
  routesByRef: ReadonlyMap<string, InventoryRoute>;
}

export interface FamilyFindings {
  family: string;
  controls: Array<{ control: ControlSummary; findings: Finding[] }>;
}

/** A control's outcome for the operator: the operator view's own (counts per subject, worst status). */
export type ControlResult = ControlView;

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
  /** In the catalog's order (routeScope sorts them with compareProtocols). */
  protocols: string[];
  carriers: number;
  highRiskCarriers: number;
  agreements: number;
  files: number;
}

const ACTION: ReadonlySet<Status> = new Set(['fail', 'not-evidenced', 'error']);

/**
 * Occurrences of a finding (the subjects that share its cause) listed under it, with their file and line;
 * the rest are counted, each being in findings.json and occurrences.csv.
 */
export const OCCURRENCE_LIMIT = 5;

/** How many subjects a finding stands for: one per occurrence (the summary counts them so). */
export function occurrenceCount(f: Finding): number {
  return f.occurrences.length;
}

/** The findings that need attention, grouped by family (catalog order) and control (id order). */
export function groupAttention(findings: readonly Finding[], controls: readonly ControlSummary[]): FamilyFindings[] {
  const byId = new Map(controls.map((c) => [c.id, c]));
  const families = new Map<string, Map<string, Finding[]>>();
  for (const f of findings) {
    if (!ATTENTION_STATUSES.has(f.status)) continue;
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

/**
 * Subjects needing action (fail, not-evidenced, error) per family and severity, and passing ones per
 * family: the first chart, from the operator's control outcomes.
 */
export function familySeverity(controls: readonly ControlView[]): OperatorReport['familySeverity'] {
  const families = [...new Set(controls.map((c) => c.control.family))].sort((a, b) =>
    compareText(familyRank(a), familyRank(b)),
  );
  return families.map((family) => {
    const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    let passed = 0;
    for (const { control, counts } of controls) {
      if (control.family !== family) continue;
      for (const status of ACTION) bySeverity[control.severity] += counts[status];
      passed += counts.pass;
    }
    return { family, bySeverity, passed };
  });
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
  let first = (cut > 30 ? message.slice(0, cut) : message).replace(/[.:]$/, '');
  // Too long, the asides go first, longest first: "transits transit 2 meridian-transit (ultimate controller
  // State-owned Assets Supervision … (国务院…))" was cut inside the controller's name, ending "(…"; the
  // finding itself gives the aside in full.
  for (let aside = longestAside(first); first.length > max && aside; aside = longestAside(first))
    first = `${first.slice(0, aside.start).trimEnd()}${first.slice(aside.end)}`;
  return first.length > max ? `${first.slice(0, max - 1).trimEnd()}…` : `${first}.`;
}

/** The longest parenthesised part of `text` outside any other, or undefined. */
function longestAside(text: string): { start: number; end: number } | undefined {
  let longest: { start: number; end: number } | undefined;
  let depth = 0;
  let open = -1;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(' && depth++ === 0) open = i;
    else if (text[i] === ')' && depth > 0 && --depth === 0 && (!longest || i + 1 - open > longest.end - longest.start))
      longest = { start: open, end: i + 1 };
  }
  return longest;
}

/** The top exposures: failed controls, most severe first, then by how many subjects (occurrences) failed. */
export function topExposures(findings: readonly Finding[], limit = 5): Exposure[] {
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

export function scopeOf(view: OperatorView, presentation: Pick<Presentation, 'report'>): Scope {
  const { routes, carriers } = view;
  const counted = routeScope(routes, (r) => r.table);
  return {
    tables: counted.tables,
    routes: routes.length,
    activeRoutes: counted.activeRoutes,
    protocols: counted.protocols,
    carriers: carriers.length,
    highRiskCarriers: carriers.filter((c) => c.highRisk).length,
    agreements: view.agreements.length,
    files: presentation.report.result.run.inputs.filter((i) => !i.builtin).length,
  };
}

/**
 * The routes' distinct tables (as `tableOf` names them), active routes and protocols, in one pass: the
 * scope a report's cover states. Routes come table by table, so a table is looked up once per run of it;
 * at 1,000,000 routes the sets and filtered arrays made per route took 1.4 s of the two PDFs.
 */
export function routeScope(
  routes: readonly InventoryRoute[],
  tableOf: (route: InventoryRoute) => string,
): { tables: number; activeRoutes: number; protocols: string[] } {
  const tables = new Set<string>();
  const protocols = new Set<string>();
  let activeRoutes = 0;
  let lastTable: InventoryRoute | undefined;
  let lastProtocol: string | undefined;
  for (const r of routes) {
    if (r.status === 'active') activeRoutes++;
    if (r.protocol !== lastProtocol) {
      lastProtocol = r.protocol;
      protocols.add(r.protocol);
    }
    if (lastTable === undefined || r.table !== lastTable.table || r.operator !== lastTable.operator) {
      lastTable = r;
      tables.add(tableOf(r));
    }
  }
  return { tables: tables.size, activeRoutes, protocols: [...protocols].sort(compareProtocols) };
}

/** What one operator's PDF draws: the operator view, arranged for the PDF's sections. */
export function operatorReport(presentation: Pick<Presentation, 'report'>, view: OperatorView): OperatorReport {
  const { result } = presentation.report;
  let byRef: Map<string, InventoryRoute> | undefined;
  return {
    // The run's id from the evidence manifest (manifest.json's reportId), the same in every output of the run.
    reportId: reportId(result),
    operator: view.operator,
    run: result.run,
    verdict: view.verdict,
    incomplete: view.incomplete,
    counts: view.totals.byStatus,
    total: view.totals.subjects,
    bySeverity: view.totals.bySeverity,
    families: groupAttention(view.findings, result.controls),
    controlResults: view.controls,
    familySeverity: familySeverity(view.controls),
    // Built on first read: only the grouped failures read it, and a national table's million routes took
    // 0.9 s to map whether or not any finding was grouped (at 1,000,000 routes none is).
    get routesByRef() {
      byRef ??= routesByRef(view.routes);
      return byRef;
    },
    trafficShares: view.trafficShares,
    exposures: topExposures(view.findings),
    waivers: view.waivers,
    inputs: view.inputs,
    errors: view.errors,
    carriers: view.carriers,
    carriersById: new Map(view.carriers.map((c) => [c.id, c])),
    scope: scopeOf(view, presentation),
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
      const carrier = route?.hops.find((h) => h.role === 'primary')?.carrier ?? '';
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

/** The operator's routes by ref, filled in one loop: a million [ref, route] pairs made to build it cost 0.5 s. */
function routesByRef(routes: readonly InventoryRoute[]): Map<string, InventoryRoute> {
  const byRef = new Map<string, InventoryRoute>();
  for (const route of routes) byRef.set(route.ref, route);
  return byRef;
}
