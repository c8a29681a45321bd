import { BASELINE_STATES, type BaselineState, type Finding, type WaiverOutcome } from '../../model/finding.js';
import { byKeys } from '../../model/order.js';
import { progressEvery } from '../../model/progress.js';
import type {
  AuditReport,
  BaselineComparison,
  ControlSummary,
  InputFile,
  InventoryAgreement,
  InventoryCarrier,
  InventoryOperator,
  InventoryRoute,
  SummarisedFindings,
  Verdict,
} from '../../model/report.js';
import {
  ATTENTION_STATUSES,
  FAMILY_ORDER,
  compareProtocols,
  SEVERITIES,
  STATUSES,
  type Diagnostic,
  type Severity,
  type Status,
} from '../../model/types.js';

/*
 * The presentation model's figures: computed here once from the AuditReport, rendered by every reporter.
 * A reporter that needs a count, a control's result, an operator's files or its baseline reads it from
 * these views; none adds up findings itself (test/totals.test.ts holds every format to these figures).
 */

/** Statuses counted per subject: a finding counts once per occurrence, a counted (summarised) group by its count. */
export type StatusCounts = Record<Status, number>;

export interface Totals {
  /** Subjects per status: listed findings' occurrences plus counted ones (findings.json's summary). */
  byStatus: StatusCounts;
  /** The same per severity of the control. */
  bySeverity: Record<Severity, StatusCounts>;
  /** Every judged subject: the sum of byStatus. */
  subjects: number;
  /** Findings (causes) listed. */
  causes: number;
  /** Causes whose status needs a reader's attention (fail, not-evidenced, error, waived). */
  attentionCauses: number;
  /** Route findings counted instead of listed (pass and not-applicable of large tables). */
  counted: number;
}

/** One control's outcome in a scope (an operator, or the whole run). */
export interface ControlView {
  control: ControlSummary;
  counts: StatusCounts;
  /** The worst status among its subjects (fail before error before not-evidenced …); none when it had no subject. */
  result: Status | 'none';
}

/** Traffic share of one protocol on routes touching high-risk carriers (the PDF's second chart). */
export interface TrafficShare {
  protocol: string;
  avoidable: number;
  unavoidable: number;
  limit: number;
  /** Where the figure comes from: the ICX-RT-04 finding, or (when that control did not measure it) the routes. */
  source: 'ICX-RT-04' | 'routes';
}

/** One operator's part of the run, as every per-operator report renders it. */
export interface OperatorView {
  id: string;
  operator: InventoryOperator;
  /** The run's verdict for this operator (spec controls.md, "Overall results"). */
  verdict: Verdict;
  /** What could not be loaded or evaluated for this operator; empty when complete. */
  incomplete: string[];
  totals: Totals;
  /** Every control in force (and any control a finding names that is not), in family then id order. */
  controls: ControlView[];
  findings: Finding[];
  summarised: SummarisedFindings[];
  routes: InventoryRoute[];
  carriers: InventoryCarrier[];
  agreements: InventoryAgreement[];
  waivers: WaiverOutcome[];
  /** The input files that concern this operator (see relevantFiles): what its reports list. */
  inputs: InputFile[];
  /** Problems in this operator's files, and those in no input file (a missing path, a bad option). */
  errors: Diagnostic[];
  /** With --baseline: the comparison narrowed to this operator. */
  baseline: BaselineComparison | null;
  trafficShares: TrafficShare[];
}

/** A family's sort key: the catalog's order (FAMILY_ORDER); any other family follows alphabetically. */
export function familyRank(family: string): string {
  const i = FAMILY_ORDER.indexOf(family);
  return i >= 0 ? String(i).padStart(3, '0') : `999${family}`;
}

export function emptyCounts(): StatusCounts {
  return Object.fromEntries(STATUSES.map((s) => [s, 0])) as StatusCounts;
}

function emptySeverityCounts(): Record<Severity, StatusCounts> {
  return Object.fromEntries(SEVERITIES.map((s) => [s, emptyCounts()])) as Record<Severity, StatusCounts>;
}

/** The worst status, in the order STATUSES lists them (fail, error, not-evidenced, waived, pass, not-applicable). */
export function worstStatus(counts: StatusCounts): Status | 'none' {
  return STATUSES.find((s) => counts[s] > 0) ?? 'none';
}

/** A finding whose control is not in the catalog in force (the engine's own error finding): described by the finding. */
export function syntheticControl(f: Finding): ControlSummary {
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
 * Totals and per-control outcomes of a scope, in one pass over its findings and counted groups. Every
 * figure is per subject: a cause counts once per occurrence, as the run summary counts it.
 */
export function tally(
  findings: readonly Finding[],
  summarised: readonly SummarisedFindings[],
  controls: readonly ControlSummary[],
): { totals: Totals; controls: ControlView[] } {
  const totals: Totals = {
    byStatus: emptyCounts(),
    bySeverity: emptySeverityCounts(),
    subjects: 0,
    causes: findings.length,
    attentionCauses: 0,
    counted: 0,
  };
  const catalog = new Map(controls.map((c) => [c.id, c]));
  const perControl = new Map<string, { control: ControlSummary; counts: StatusCounts }>();
  const of = (id: string, f?: Finding) => {
    let entry = perControl.get(id);
    if (!entry) {
      const control = catalog.get(id) ?? (f ? syntheticControl(f) : undefined);
      if (!control) return undefined;
      perControl.set(id, (entry = { control, counts: emptyCounts() }));
    }
    return entry;
  };
  for (const c of controls) of(c.id);
  for (const f of findings) {
    const n = f.occurrences.length;
    totals.byStatus[f.status] += n;
    totals.bySeverity[f.severity][f.status] += n;
    totals.subjects += n;
    if (ATTENTION_STATUSES.has(f.status)) totals.attentionCauses++;
    of(f.control, f)!.counts[f.status] += n;
  }
  for (const group of summarised) {
    const entry = of(group.control);
    totals.byStatus[group.status] += group.count;
    totals.bySeverity[entry?.control.severity ?? 'info'][group.status] += group.count;
    totals.subjects += group.count;
    totals.counted += group.count;
    if (entry) entry.counts[group.status] += group.count;
  }
  const views = [...perControl.values()]
    .sort(
      byKeys(
        (c) => familyRank(c.control.family),
        (c) => c.control.id,
      ),
    )
    .map(({ control, counts }) => ({ control, counts, result: worstStatus(counts) }));
  return { totals, controls: views };
}

/**
 * The input files that concern each operator: those its findings, routes, agreements or waivers point into,
 * the shipped files, the profile, and files no operator's data points into (they cannot be attributed).
 * Files only other operators' data points into are left out: one operator's report does not list another
 * operator's submission.
 */
function filesByOperator(report: AuditReport): Map<string, Set<string>> {
  const users = new Map<string, Set<string>>();
  // A run of one operator whose every finding, route, agreement and waiver is its own: every file they
  // point into is that operator's and no file is another's, so relevantFiles keeps every input either
  // way. The occurrences (three million at a million routes: 0.9 s) are then not walked.
  if (onlyOperator(report) !== undefined) return users;
  // Files come in runs of one file and operator (a cause's occurrences, a table's routes), so a run is
  // noted once: at national scale a Map and a Set lookup per occurrence and per route took about 2 s of
  // preparing the reports.
  let lastFile: string | undefined;
  let lastOperator: string | undefined;
  const use = (file: string, operator: string) => {
    if (file === lastFile && operator === lastOperator) return;
    lastFile = file;
    lastOperator = operator;
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
  return users;
}

/** The run's one operator, when it has one and all its data is that operator's; else undefined. */
function onlyOperator(report: AuditReport): string | undefined {
  const { operators } = report.result.summary;
  if (operators.length !== 1) return undefined;
  const id = operators[0].id;
  const own = (items: ReadonlyArray<{ operator: string }>) => items.every((item) => item.operator === id);
  const { result, inventory } = report;
  return own(result.findings) && own(inventory.routes) && own(inventory.agreements) && own(result.waivers)
    ? id
    : undefined;
}

export function relevantFiles(report: AuditReport, operatorId: string, users = filesByOperator(report)): Set<string> {
  const keep = new Set<string>();
  for (const input of report.result.run.inputs) {
    const operators = users.get(input.file);
    if (input.builtin || input.file === report.result.run.profile.file || !operators || operators.has(operatorId))
      keep.add(input.file);
  }
  return keep;
}

/**
 * An operator's part of the baseline comparison: its removed findings, and counts from the states of its
 * listed findings' occurrences (--baseline compares subject by subject) plus its removed ones. (The
 * run-wide counts also include resolved findings among counted, unlisted ones, which cannot be attributed here.)
 */
export function operatorBaseline(
  baseline: BaselineComparison,
  operator: string,
  findings: readonly Finding[],
): BaselineComparison {
  const removed = baseline.removed.filter((r) => r.operator === operator);
  const counts = Object.fromEntries(BASELINE_STATES.map((s) => [s, 0])) as Record<BaselineState, number>;
  counts.resolved = removed.length;
  for (const f of findings) for (const entry of baselineEntries(f)) counts[entry.state]++;
  return { ...baseline, counts, removed };
}

/**
 * What --baseline says of a finding, subject by subject: each occurrence's own state (the engine compares
 * occurrence by occurrence). A finding whose occurrences carry none but which has a state of its own (a
 * comparison made by hand) counts once, for its first subject.
 */
export function baselineEntries(f: Finding): Array<{ subject: string; state: BaselineState; previousStatus?: Status }> {
  const entries: Array<{ subject: string; state: BaselineState; previousStatus?: Status }> = [];
  for (const o of f.occurrences)
    if (o.baseline)
      entries.push({
        subject: o.subject,
        state: o.baseline.state,
        ...(o.baseline.previousStatus ? { previousStatus: o.baseline.previousStatus } : {}),
      });
  if (entries.length === 0 && f.baseline)
    entries.push({
      subject: f.subject,
      state: f.baseline.state,
      ...(f.baseline.previousStatus ? { previousStatus: f.baseline.previousStatus } : {}),
    });
  return entries;
}

/**
 * Per protocol, the share of traffic on routes touching a high-risk carrier. ICX-RT-04's figure is used
 * when it measured the protocol (so the chart agrees with the finding); otherwise it is summed from the
 * operator's active routes the same way: avoidable when any high-risk hop is avoidable.
 */
export function trafficShares(
  findings: readonly Finding[],
  routes: readonly InventoryRoute[],
  limit: number,
): TrafficShare[] {
  const measured = new Map<string, TrafficShare>();
  for (const f of findings) {
    if (f.control !== 'ICX-RT-04') continue;
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
  return [...measured.values()].sort((a, b) => compareProtocols(a.protocol, b.protocol));
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The controls a route fails, by its operator and subject reference (table ids are unique only per operator). */
export type FailedControls = (operator: string, ref: string) => readonly string[];

/**
 * Every occurrence of a failed finding, by route: the Routes sheets' and routes.csv's "Failed controls",
 * worked out once per run however many of them are written.
 */
export function failedControlsLookup(
  findings: readonly Finding[],
  routes: readonly InventoryRoute[],
  onMatched?: (done: number) => void,
): FailedControls {
  // Each route's position, per operator (two operators' tables may share an id), then each failing
  // control a bit of the route's number. Numbers in a typed array, not a map of lists: at national scale
  // a million lists in the old generation made every young collection rescan them, and a map updated
  // per occurrence took 4 s of a 1M-route CSV write.
  const position = new Map<string, Map<string, number>>();
  for (let i = 0; i < routes.length; i++) {
    const { operator, ref } = routes[i];
    let own = position.get(operator);
    if (!own) position.set(operator, (own = new Map()));
    own.set(ref, i);
  }
  const bits = new Int32Array(routes.length);
  const controlsOf = new Map<string, string[]>(); // per operator, in bit order
  const beyond = new Map<number, string[]>(); // a route's failing controls past MASK_CONTROLS of its operator
  // At a million routes the matching below takes seconds (2.9 million map lookups): it says how far it is.
  onMatched?.(0);
  let matched = 0;
  for (const f of findings) {
    const own = f.status === 'fail' ? position.get(f.operator) : undefined;
    if (!own) continue;
    let controls = controlsOf.get(f.operator);
    if (!controls) controlsOf.set(f.operator, (controls = []));
    let index = controls.indexOf(f.control);
    if (index < 0) index = controls.push(f.control) - 1;
    for (const o of f.occurrences) {
      if (onMatched && ++matched % progressEvery.items === 0) onMatched(matched);
      const at = own.get(o.subject);
      if (at === undefined) continue;
      if (index < MASK_CONTROLS) bits[at] |= 1 << index;
      else {
        const more = beyond.get(at);
        if (!more) beyond.set(at, [f.control]);
        else if (!more.includes(f.control)) more.push(f.control);
      }
    }
  }
  // Equal lists are one array (per operator and set of bits): a million routes share a few hundred, and
  // routes.csv escapes each list once, looked up by the array.
  const lists = new Map<string, Map<number, readonly string[]>>();
  const none: readonly string[] = [];
  return (operator, ref) => {
    const at = position.get(operator)?.get(ref);
    if (at === undefined) return none;
    const more = beyond.get(at);
    let own = lists.get(operator);
    if (!own) lists.set(operator, (own = new Map()));
    let failed = more ? undefined : own.get(bits[at]);
    if (failed) return failed;
    const controls = controlsOf.get(operator) ?? [];
    const set: string[] = [];
    for (let i = 0; bits[at] >>> i !== 0; i++) if (bits[at] & (1 << i)) set.push(controls[i]);
    if (more) return [...set, ...more];
    failed = set;
    own.set(bits[at], failed);
    return failed;
  };
}

/** Failing controls of one operator kept as bits of a small integer (V8 keeps up to 31 bits unboxed). */
const MASK_CONTROLS = 30;

/** Splits a list by operator in one pass (per-operator filtering would be operators × rows). */
export function groupByOperator<T>(items: readonly T[], operatorOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  // Items come sorted by operator, so each run of one operator is copied whole: pushing a national
  // table's million routes one at a time took 0.5 s of preparing the reports.
  let start = 0;
  while (start < items.length) {
    const key = operatorOf(items[start]!);
    let end = start + 1;
    while (end < items.length && operatorOf(items[end]!) === key) end++;
    const group = groups.get(key);
    if (group) for (let i = start; i < end; i++) group.push(items[i]!);
    else groups.set(key, items.slice(start, end));
    start = end;
  }
  return groups;
}

/**
 * Every operator of the run's summary (id order), with its figures. The verdict and the per-status counts
 * are the run summary's own (the engine decides them); an operator's severity × status table and control
 * outcomes are tallied here from the same findings, so they add up to those counts.
 */
export function operatorViews(report: AuditReport): OperatorView[] {
  const { result, inventory } = report;
  const findings = groupByOperator(result.findings, (f) => f.operator);
  const summarised = groupByOperator(result.summarised ?? [], (s) => s.operator);
  const routes = groupByOperator(inventory.routes, (r) => r.operator);
  const agreements = groupByOperator(inventory.agreements, (a) => a.operator);
  const waivers = groupByOperator(result.waivers, (w) => w.operator);
  const known = new Map(inventory.operators.map((o) => [o.id, o]));
  const users = filesByOperator(report);
  const inputFiles = new Set(result.run.inputs.map((i) => i.file));
  const limit = Number(result.run.profile.parameters.maxHighRiskTrafficShare ?? 0);
  return [...result.summary.operators].sort(byKeys((o) => o.id)).map((summary) => {
    const own = findings.get(summary.id) ?? [];
    const counted = summarised.get(summary.id) ?? [];
    const ownRoutes = routes.get(summary.id) ?? [];
    const files = relevantFiles(report, summary.id, users);
    const { totals, controls } = tally(own, counted, result.controls);
    return {
      id: summary.id,
      operator: known.get(summary.id) ?? {
        id: summary.id,
        name: summary.name,
        country: summary.country,
        networks: [],
        plmns: [],
      },
      verdict: summary.result,
      incomplete: summary.incomplete,
      totals,
      controls,
      findings: own,
      summarised: counted,
      routes: ownRoutes,
      carriers: inventory.carriers.filter((c) => c.usedBy.includes(summary.id)),
      agreements: agreements.get(summary.id) ?? [],
      waivers: waivers.get(summary.id) ?? [],
      inputs: result.run.inputs.filter((i) => files.has(i.file)),
      errors: result.errors.filter((e) => files.has(e.file) || !inputFiles.has(e.file)),
      baseline: result.baseline ? operatorBaseline(result.baseline, summary.id, own) : null,
      trafficShares: trafficShares(own, ownRoutes, limit),
    };
  });
}
