import type { InputFile } from '../../model/report.js';
import type { Finding, WaiverOutcome } from '../../model/finding.js';
import type {
  AuditResult,
  BaselineComparison,
  InventoryAgreement,
  InventoryCarrier,
  InventoryRoute,
  OperatorSummary,
  SummarisedFindings,
  Verdict,
} from '../../model/report.js';
import type { Diagnostic, Severity, Status } from '../../model/types.js';
import { OCCURRENCES_CSV_NAME, ROUTES_CSV_NAME } from '../paths.js';
import type { ControlView, FailedControls, OperatorSource, OperatorView, Presentation } from '../view/index.js';

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
  /** Each control's outcome in this scope. */
  controlViews: ControlView[];
  /** Each operator of the scope with its control outcomes (the Controls sheet's coverage columns). */
  coverage: Array<{ operator: string; controls: ControlView[] }>;
  /**
   * occurrences.csv as this workbook reaches it, when the run wrote it before the workbook (null otherwise):
   * a very long Occurrences table is left to it.
   */
  occurrencesCsv: string | null;
  /** The controls each route fails (the presentation's lookup, shared with routes.csv). */
  failedControls: FailedControls;
  /** routes.csv as this workbook reaches it, when the run wrote it before the workbook (null otherwise). */
  routesCsv: string | null;
  /** Subjects counted instead of listed (the sum of summarised). */
  counted: number;
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

export function runScope(presentation: Presentation): WorkbookScope {
  const { report, run } = presentation;
  const { result, inventory } = report;
  return {
    operator: null,
    run: result.run,
    controls: result.controls,
    result: run.verdict,
    incomplete: run.incomplete,
    operators: result.summary.operators,
    bySeverity: run.totals.bySeverity,
    controlViews: run.controls,
    coverage: presentation.operators.map((o) => ({ operator: o.id, controls: o.controls })),
    occurrencesCsv: presentation.artifacts.includes(OCCURRENCES_CSV_NAME) ? OCCURRENCES_CSV_NAME : null,
    routesCsv: presentation.artifacts.includes(ROUTES_CSV_NAME) ? ROUTES_CSV_NAME : null,
    failedControls: presentation.failedControls,
    counted: run.totals.counted,
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

/**
 * One operator's scope: its operator view, whose lists keep the run's order, so an operator's sheets read
 * like the run's. Its workbook is one folder down from the run's CSV files.
 */
export function operatorScope(source: OperatorSource, view: OperatorView): WorkbookScope {
  const { result } = source.report;
  return {
    operator: view.id,
    run: result.run,
    controls: result.controls,
    result: view.verdict,
    incomplete: view.incomplete,
    operators: result.summary.operators.filter((o) => o.id === view.id),
    bySeverity: view.totals.bySeverity,
    controlViews: view.controls,
    coverage: [{ operator: view.id, controls: view.controls }],
    occurrencesCsv: source.artifacts.includes(OCCURRENCES_CSV_NAME) ? `../${OCCURRENCES_CSV_NAME}` : null,
    routesCsv: source.artifacts.includes(ROUTES_CSV_NAME) ? `../${ROUTES_CSV_NAME}` : null,
    failedControls: source.failedControls,
    counted: view.totals.counted,
    findings: view.findings,
    summarised: view.summarised,
    routes: view.routes,
    carriers: view.carriers,
    agreements: view.agreements,
    waivers: view.waivers,
    inputs: view.inputs,
    errors: null,
    baseline: view.baseline,
  };
}
