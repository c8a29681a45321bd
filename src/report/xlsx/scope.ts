import type { InputFile } from '../../model/report.js';
import { BASELINE_STATES, type BaselineState, type Finding, type WaiverOutcome } from '../../model/finding.js';
import type {
  AuditReport,
  AuditResult,
  BaselineComparison,
  InventoryAgreement,
  InventoryCarrier,
  InventoryRoute,
  OperatorSummary,
  SummarisedFindings,
  Verdict,
} from '../../model/report.js';
import { SEVERITIES, STATUSES, type Diagnostic, type Severity, type Status } from '../../model/types.js';
import { baselineEntries } from '../sector/model.js';

/** What one workbook shows: the whole run, or one operator's part of it. */
export interface WorkbookScope {
  /** null for the run-wide workbook. */
  operator: string | null;
  run: AuditResult['run'];
  controls: AuditResult['controls'];
  /** The run's result, or the operator's. */
  result: Verdict;
  /** Why the result is not complete (dropped documents and routes, errors); empty when complete. */
  incomplete: string[];
  operators: OperatorSummary[];
  bySeverity: Record<Severity, Record<Status, number>>;
  findings: Finding[];
  /** Passing and not-applicable route findings counted instead of listed (large tables). */
  summarised: SummarisedFindings[];
  routes: InventoryRoute[];
  carriers: InventoryCarrier[];
  agreements: InventoryAgreement[];
  waivers: WaiverOutcome[];
  inputs: InputFile[];
  /** Input errors: run-wide only (an error in a file cannot always be tied to one operator). */
  errors: Diagnostic[] | null;
  /** With --baseline: the comparison, its counts and removed findings narrowed to the scope. */
  baseline: BaselineComparison | null;
}

export function runScope(report: AuditReport): WorkbookScope {
  const { result, inventory } = report;
  return {
    operator: null,
    run: result.run,
    controls: result.controls,
    result: result.summary.result,
    incomplete: result.summary.operators.flatMap((o) => o.incomplete.map((reason) => `${o.id}: ${reason}`)),
    operators: result.summary.operators,
    bySeverity: result.summary.bySeverity,
    findings: result.findings,
    summarised: result.summarised ?? [],
    routes: inventory.routes,
    carriers: inventory.carriers,
    agreements: inventory.agreements,
    waivers: result.waivers,
    inputs: result.run.inputs,
    errors: result.errors,
    baseline: result.baseline ?? null,
  };
}

/** Splits a list by operator in one pass (per-operator filtering would be operators × rows). */
export function groupByOperator<T>(items: readonly T[], operatorOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = operatorOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** Each operator's scope. Lists keep the run's order, so an operator's sheets read like the run's. */
export function operatorScopes(report: AuditReport): WorkbookScope[] {
  const { result, inventory } = report;
  const findings = groupByOperator(result.findings, (f) => f.operator);
  const routes = groupByOperator(inventory.routes, (r) => r.operator);
  const agreements = groupByOperator(inventory.agreements, (a) => a.operator);
  const waivers = groupByOperator(result.waivers, (w) => w.operator);
  const summarised = groupByOperator(result.summarised ?? [], (s) => s.operator);
  const severities = new Map(result.controls.map((c) => [c.id, c.severity]));
  return result.summary.operators.map((operator) => {
    const own = findings.get(operator.id) ?? [];
    const counted = summarised.get(operator.id) ?? [];
    const scope: WorkbookScope = {
      operator: operator.id,
      run: result.run,
      controls: result.controls,
      result: operator.result,
      incomplete: operator.incomplete,
      operators: [operator],
      bySeverity: countBySeverity(own, counted, severities),
      findings: own,
      summarised: counted,
      routes: routes.get(operator.id) ?? [],
      carriers: inventory.carriers.filter((c) => c.usedBy.includes(operator.id)),
      agreements: agreements.get(operator.id) ?? [],
      waivers: waivers.get(operator.id) ?? [],
      inputs: [],
      errors: null,
      baseline: result.baseline ? operatorBaseline(result.baseline, operator.id, own) : null,
    };
    scope.inputs = inputsOf(scope, result.run.inputs);
    return scope;
  });
}

/**
 * An operator's part of the baseline comparison: its removed findings, and counts from the states of its
 * listed findings' occurrences (--baseline compares subject by subject) plus its removed ones. (The
 * run-wide counts also include resolved findings among counted, unlisted ones, which cannot be attributed here.)
 */
function operatorBaseline(
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
 * Severity × status counts of listed findings, one for each occurrence (subject), plus counted ones (at
 * their control's severity), as findings.json's summary counts. Only for an operator's workbook: the
 * run-wide one shows the summary's own figures.
 */
export function countBySeverity(
  findings: readonly Finding[],
  summarised: readonly SummarisedFindings[] = [],
  severities: ReadonlyMap<string, Severity> = new Map(),
): Record<Severity, Record<Status, number>> {
  const counts = Object.fromEntries(
    SEVERITIES.map((s) => [s, Object.fromEntries(STATUSES.map((t) => [t, 0]))]),
  ) as Record<Severity, Record<Status, number>>;
  for (const f of findings) counts[f.severity][f.status] += f.occurrences.length;
  for (const group of summarised) {
    const severity = severities.get(group.control);
    if (severity) counts[severity][group.status] += group.count;
  }
  return counts;
}

/**
 * The input files behind one operator's workbook: those its findings, routes, carriers, agreements and
 * waivers point at, the profile, and the files shipped with ixaudit. Other operators' file names stay
 * out of a workbook that may be sent to this operator.
 */
function inputsOf(scope: WorkbookScope, inputs: readonly InputFile[]): InputFile[] {
  const files = new Set<string>([scope.run.profile.file]);
  for (const list of [scope.routes, scope.carriers, scope.agreements, scope.waivers]) {
    for (const item of list) files.add(item.location.file);
  }
  for (const f of scope.findings) {
    files.add(f.location.file);
    for (const o of f.occurrences) files.add(o.location.file);
  }
  return inputs.filter((i) => i.builtin || files.has(i.file));
}
