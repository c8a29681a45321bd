import { BASELINE_STATES, type BaselineState } from '../../model/finding.js';
import { STATUSES } from '../../model/types.js';
import type { OperatorView } from '../view/operator.js';
import type { AuditReport, InventoryHop, Verdict } from '../../model/report.js';
import { operatorFolderName } from '../paths.js';
import { byKeys, compareText } from '../../model/order.js';

/** Regulator's view across every submission of a run: what the sector report, workbook and index show. */
export interface SectorView {
  auditDate: string;
  operators: Array<{
    id: string;
    name: string;
    country: string;
    result: Verdict;
    failedCritical: number;
    failedHigh: number;
    failed: number;
    /** Per protocol, % of active traffic on routes that touch an avoidable high-risk carrier. */
    exposure: Record<string, number>;
    /** The largest of those shares: the operator's exposure rank key. */
    maxExposure: number;
    reportDir: string;
  }>;
  /** Operators × high-risk carriers, per protocol: % of the operator's active traffic touching that carrier. */
  exposureMatrix: Array<{ operator: string; carrier: string; protocol: string; share: number; routes: number }>;
  /** Carriers by how many submissions use them, most first. */
  carriers: Array<{ id: string; name: string; highRisk: boolean; controller: string; operators: string[] }>;
  /**
   * Per control, over the operators it applies to (`applicable`: those with a finding for it that is not
   * not-applicable): how many pass (no failing, error or not-evidenced finding), fail (a finding failed or
   * could not be evaluated) or were not evidenced. passing + failing + notEvidenced = applicable, and the
   * pass rate is passing of applicable (0 when it applies to no operator).
   */
  controls: Array<{
    id: string;
    title: string;
    severity: string;
    applicable: number;
    passing: number;
    failing: number;
    notEvidenced: number;
    passRate: number;
  }>;
  rankedByExposure: string[];
  rankedByFailures: string[];
  /**
   * Only with --baseline: per operator, how many findings are in each baseline state since the previous
   * audit (removed subjects included in resolved), most regressions, then most changes, first. Absent
   * without a baseline.
   */
  changes?: Array<{ operator: string } & Record<BaselineState, number>>;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export function sectorView(report: AuditReport, views: readonly OperatorView[]): SectorView {
  const { result, inventory } = report;
  const highRisk = new Set(inventory.carriers.filter((c) => c.highRisk).map((c) => c.id));

  const matrix = new Map<
    string,
    { operator: string; carrier: string; protocol: string; share: number; routes: number }
  >();
  const exposure = new Map<string, Record<string, number>>();
  // Routes of one shape share their list of hops (src/enrich/route-view.ts): a million routes have a few
  // thousand lists, so each list's avoidable high-risk carriers are worked out once.
  const riskyOf = new Map<readonly InventoryHop[], string[]>();
  for (const route of inventory.routes) {
    if (route.status !== 'active') continue;
    let risky = riskyOf.get(route.hops);
    if (risky === undefined) {
      risky = [...new Set(route.hops.filter((h) => h.highRisk && !h.unavoidable).map((h) => h.carrier))];
      riskyOf.set(route.hops, risky);
    }
    if (risky.length === 0) continue;
    const share = route.trafficShare ?? 0;
    const perProtocol = exposure.get(route.operator) ?? {};
    perProtocol[route.protocol] = round((perProtocol[route.protocol] ?? 0) + share);
    exposure.set(route.operator, perProtocol);
    for (const carrier of risky) {
      const key = `${route.operator}\u0000${carrier}\u0000${route.protocol}`;
      const cell = matrix.get(key) ?? {
        operator: route.operator,
        carrier,
        protocol: route.protocol,
        share: 0,
        routes: 0,
      };
      cell.share = round(cell.share + share);
      cell.routes++;
      matrix.set(key, cell);
    }
  }

  // Failures per subject and severity, and each control's statuses, are the operator views' figures.
  const viewOf = new Map(views.map((v) => [v.id, v]));
  const failures = (operator: string, severity?: 'critical' | 'high') => {
    const totals = viewOf.get(operator)?.totals;
    if (!totals) return 0;
    return severity ? totals.bySeverity[severity].fail : totals.byStatus.fail;
  };
  const operators = result.summary.operators.map((o) => {
    const perProtocol = exposure.get(o.id) ?? {};
    return {
      id: o.id,
      name: o.name,
      country: o.country,
      result: o.result,
      failedCritical: failures(o.id, 'critical'),
      failedHigh: failures(o.id, 'high'),
      failed: failures(o.id),
      exposure: perProtocol,
      maxExposure: Math.max(0, ...Object.values(perProtocol)),
      reportDir: operatorFolderName(o.id),
    };
  });

  const controls = result.controls.map((c) => {
    let passing = 0;
    let failing = 0;
    let notEvidenced = 0;
    for (const o of views) {
      const counts = o.controls.find((v) => v.control.id === c.id)?.counts;
      // No subject, or only not-applicable ones: the control does not apply to this operator (an N32
      // control for an operator without N32), so it neither passes nor fails there.
      if (!counts || STATUSES.every((st) => st === 'not-applicable' || counts[st] === 0)) continue;
      if (counts.fail > 0 || counts.error > 0) failing++;
      else if (counts['not-evidenced'] > 0) notEvidenced++;
      else passing++;
    }
    const applicable = passing + failing + notEvidenced;
    return {
      id: c.id,
      title: c.title,
      severity: c.severity,
      applicable,
      passing,
      failing,
      notEvidenced,
      passRate: applicable === 0 ? 0 : round((100 * passing) / applicable),
    };
  });

  return {
    auditDate: result.run.auditDate,
    operators,
    exposureMatrix: [...matrix.values()].sort(
      byKeys(
        (m) => m.operator,
        (m) => m.carrier,
        (m) => m.protocol,
      ),
    ),
    carriers: inventory.carriers
      .map((c) => ({
        id: c.id,
        name: c.name,
        highRisk: highRisk.has(c.id),
        controller: c.controller.name,
        operators: c.usedBy,
      }))
      .sort((a, b) => b.operators.length - a.operators.length || compareText(a.id, b.id)),
    controls,
    rankedByExposure: [...operators]
      .sort((a, b) => b.maxExposure - a.maxExposure || compareText(a.id, b.id))
      .map((o) => o.id),
    rankedByFailures: [...operators]
      .sort(
        (a, b) =>
          b.failedCritical - a.failedCritical ||
          b.failedHigh - a.failedHigh ||
          b.failed - a.failed ||
          compareText(a.id, b.id),
      )
      .map((o) => o.id),
    ...(result.baseline ? { changes: changesByOperator(views) } : {}),
  };
}

/** Findings in any state but unchanged: what moved since the previous audit. */
export function changedCount(c: Record<BaselineState, number>): number {
  return BASELINE_STATES.reduce((sum, st) => (st === 'unchanged' ? sum : sum + (c[st] ?? 0)), 0);
}

/** Per operator, the occurrences (subjects) in each baseline state, plus removed subjects as resolved. */
function changesByOperator(views: readonly OperatorView[]): NonNullable<SectorView['changes']> {
  return views
    .map((v) => ({ operator: v.id, ...v.baseline!.counts }))
    .sort(
      (a, b) =>
        b.regressed - a.regressed ||
        b.new - a.new ||
        changedCount(b) - changedCount(a) ||
        compareText(a.operator, b.operator),
    );
}
