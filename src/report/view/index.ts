import type { AuditReport, Verdict } from '../../model/report.js';
import { type SectorView, sectorView } from '../sector/model.js';
import {
  type ControlView,
  type FailedControls,
  failedControlsLookup,
  type OperatorView,
  operatorViews,
  type Totals,
  tally,
} from './operator.js';

export type { ControlView, FailedControls, OperatorView, StatusCounts, Totals, TrafficShare } from './operator.js';

/** The whole run, as the run-level reports (findings.json aside, which is the AuditResult itself) render it. */
export interface RunView {
  verdict: Verdict;
  /** Why the run is not complete: each operator's reasons, prefixed with its id. */
  incomplete: string[];
  totals: Totals;
  /** Every control over every operator. */
  controls: ControlView[];
}

/**
 * What every reporter renders: the audited run (findings, inventory) and the figures and views made from it
 * once. `artifacts` are the files earlier reporters of this run wrote, relative to --out with / separators
 * (the index page links exactly these).
 */
export interface Presentation {
  report: AuditReport;
  run: RunView;
  /** Every operator of the run's summary, in id order. */
  operators: OperatorView[];
  sector: SectorView;
  /** The controls each route fails; built on first use (only the Routes tables need it). */
  failedControls: FailedControls;
  artifacts: readonly string[];
}

export function presentationOf(report: AuditReport, artifacts: readonly string[] = []): Presentation {
  const { result } = report;
  const operators = operatorViews(report);
  const { totals, controls } = tally(result.findings, result.summarised ?? [], result.controls);
  let failed: FailedControls | undefined;
  return {
    report,
    run: {
      verdict: result.summary.result,
      incomplete: operators.flatMap((o) => o.incomplete.map((reason) => `${o.id}: ${reason}`)),
      totals,
      controls,
    },
    operators,
    sector: sectorView(report, operators),
    failedControls: (operator, ref) =>
      (failed ??= failedControlsLookup(result.findings, report.inventory.routes))(operator, ref),
    artifacts,
  };
}
