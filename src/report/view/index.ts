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
  /**
   * Builds failedControls now if it is not built yet, saying how many occurrences are matched to their
   * routes so far: routes.csv calls it first, so a national table's seconds of matching are not silent.
   */
  matchFailedControls(onMatched?: (done: number) => void): void;
  artifacts: readonly string[];
}

/**
 * What one operator's own files (report.pdf, findings.xlsx) are drawn from; a Presentation has it. In a
 * render worker (src/report/operator-workers.ts) it holds that operator alone (see operatorPart).
 */
export type OperatorSource = Pick<Presentation, 'report' | 'operators' | 'artifacts' | 'failedControls'>;

/** An OperatorSource of one operator without its lookup function: what a render worker is sent (structured clone). */
export type OperatorPart = Omit<OperatorSource, 'failedControls'>;

/**
 * The run narrowed to one operator, as its own files read it: the run's header, controls and operator
 * summaries, and only this operator's findings, counted groups, waivers, errors and inventory (what
 * OperatorView already holds). The baseline goes by the view (the operator's part of the comparison).
 */
export function operatorPart(presentation: Presentation, view: OperatorView): OperatorPart {
  const { result, inventory, ...rest } = presentation.report;
  const { baseline: _runBaseline, ...runResult } = result;
  return {
    report: {
      ...rest,
      result: {
        ...runResult,
        findings: view.findings,
        summarised: view.summarised,
        waivers: view.waivers,
        errors: view.errors,
      },
      inventory: {
        operators: inventory.operators.filter((o) => o.id === view.id),
        routes: view.routes,
        carriers: view.carriers,
        agreements: view.agreements,
      },
    },
    operators: [view],
    artifacts: presentation.artifacts,
  };
}

/**
 * The part back as a source, with the failed-controls lookup made from the operator's own findings: the
 * same lists as the run's lookup, whose bits per operator follow that operator's findings in order.
 */
export function operatorSource(part: OperatorPart): OperatorSource {
  const { report } = part;
  let failed: FailedControls | undefined;
  return {
    ...part,
    failedControls: (operator, ref) =>
      (failed ??= failedControlsLookup(report.result.findings, report.inventory.routes))(operator, ref),
  };
}

export function presentationOf(report: AuditReport, artifacts: readonly string[] = []): Presentation {
  const { result } = report;
  const operators = operatorViews(report);
  const { totals, controls } = tally(result.findings, result.summarised ?? [], result.controls);
  let failed: FailedControls | undefined;
  const match = (onMatched?: (done: number) => void) =>
    (failed ??= failedControlsLookup(result.findings, report.inventory.routes, onMatched));
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
    failedControls: (operator, ref) => match()(operator, ref),
    matchFailedControls: (onMatched) => {
      match(onMatched);
    },
    artifacts,
  };
}
