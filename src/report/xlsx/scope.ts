import type { InputFile } from '../../load/index.js';
import type { Finding, WaiverOutcome } from '../../model/finding.js';
import type { AuditReport, AuditResult, InventoryAgreement, InventoryCarrier, InventoryRoute, OperatorSummary } from '../../model/report.js';
import { SEVERITIES, STATUSES, type Diagnostic, type Severity, type Status } from '../../model/types.js';

/** What one workbook shows: the whole run, or one operator's part of it. */
export interface WorkbookScope {
  /** null for the run-wide workbook. */
  operator: string | null;
  run: AuditResult['run'];
  controls: AuditResult['controls'];
  /** The run's result, or the operator's. */
  result: 'pass' | 'fail';
  operators: OperatorSummary[];
  bySeverity: Record<Severity, Record<Status, number>>;
  findings: Finding[];
  routes: InventoryRoute[];
  carriers: InventoryCarrier[];
  agreements: InventoryAgreement[];
  waivers: WaiverOutcome[];
  inputs: InputFile[];
  /** Input errors: run-wide only (an error in a file cannot always be tied to one operator). */
  errors: Diagnostic[] | null;
}

export function runScope(report: AuditReport): WorkbookScope {
  const { result, inventory } = report;
  return {
    operator: null,
    run: result.run,
    controls: result.controls,
    result: result.summary.result,
    operators: result.summary.operators,
    bySeverity: result.summary.bySeverity,
    findings: result.findings,
    routes: inventory.routes,
    carriers: inventory.carriers,
    agreements: inventory.agreements,
    waivers: result.waivers,
    inputs: result.run.inputs,
    errors: result.errors,
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
  return result.summary.operators.map((operator) => {
    const scope: WorkbookScope = {
      operator: operator.id,
      run: result.run,
      controls: result.controls,
      result: operator.result,
      operators: [operator],
      bySeverity: countBySeverity(findings.get(operator.id) ?? []),
      findings: findings.get(operator.id) ?? [],
      routes: routes.get(operator.id) ?? [],
      carriers: inventory.carriers.filter((c) => c.usedBy.includes(operator.id)),
      agreements: agreements.get(operator.id) ?? [],
      waivers: waivers.get(operator.id) ?? [],
      inputs: [],
      errors: null,
    };
    scope.inputs = inputsOf(scope, result.run.inputs);
    return scope;
  });
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, Record<Status, number>> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, Object.fromEntries(STATUSES.map((t) => [t, 0]))])) as Record<Severity, Record<Status, number>>;
  for (const f of findings) counts[f.severity][f.status]++;
  return counts;
}

/**
 * The input files behind one operator's workbook: those its findings, routes, carriers, agreements and
 * waivers point at, the profile, and the files shipped with ixaudit. Other operators' file names stay
 * out of a workbook that may be sent to this operator.
 */
function inputsOf(scope: WorkbookScope, inputs: readonly InputFile[]): InputFile[] {
  const files = new Set<string>([scope.run.profile.file]);
  for (const list of [scope.findings, scope.routes, scope.carriers, scope.agreements, scope.waivers]) {
    for (const item of list) files.add(item.location.file);
  }
  return inputs.filter((i) => i.builtin || files.has(i.file));
}
