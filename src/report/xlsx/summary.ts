import { SEVERITIES, STATUSES, type Status } from '../../model/types.js';
import { dateCell, type Cell } from './cells.js';
import type { Column } from './tables.js';
import type { WorkbookScope } from './scope.js';

/** The Summary sheet is not one table but a few blocks, one under another. */
export type SummaryBlock =
  | { kind: 'title'; text: string }
  | { kind: 'facts'; rows: Array<[string, Cell]> }
  | { kind: 'table'; caption: string; columns: Column[]; rows: Cell[][] };

function total(counts: Record<Status, number>): number {
  return STATUSES.reduce((sum, s) => sum + counts[s], 0);
}

const COUNT_COLUMNS: Column[] = [
  ...STATUSES.map((s): Column => ({ header: s, width: 14, format: 'number' })),
  { header: 'total', width: 9, format: 'number' },
];

/** Large tables' passing route findings are counted, not listed: say how many, so the totals add up. */
function countedFact(scope: WorkbookScope): Array<[string, Cell]> {
  return scope.counted > 0 ? [['Findings counted, not listed', scope.counted]] : [];
}

/** Run facts, counts by severity × status, and per-operator totals. */
export function summaryBlocks(scope: WorkbookScope): SummaryBlock[] {
  const { run } = scope;
  const profile = run.profile;
  const facts: Array<[string, Cell]> = [
    ['Scope', scope.operator === null ? 'all operators in the run' : `operator ${scope.operator}`],
    ['Result', scope.result],
    ['Not audited', scope.incomplete.length > 0 ? scope.incomplete.join('\n') : null],
    // The auditor's trusted facts that differ from the bundled registry (every report lists them).
    ['Registry as of', run.registry.asOf || null],
    [
      'Registry facts older than the limit',
      run.registry.stale.length > 0
        ? run.registry.stale
            .map(
              (f) =>
                `${f.kind}/${f.id} ${f.fact} checked ${f.checked || 'never'} (limit ${run.registry.maxAgeMonths} months)`,
            )
            .join('\n')
        : 'none',
    ],
    [
      'Registry changed by the auditor',
      run.registryChanges.length > 0
        ? run.registryChanges.map((r) => `${r.kind}/${r.id} ${r.change} at ${r.at}`).join('\n')
        : 'nothing',
    ],
    ['Audit date', dateCell(run.auditDate)],
    ['Audit date from', run.auditDateSource],
    ['Profile', profile.id],
    ['Profile chain', profile.chain.join(' → ')],
    ['Profile file', profile.file],
    ['Fail on', profile.failOn],
    ['Disabled controls', profile.disabled.length > 0 ? profile.disabled.join(', ') : null],
    ['Tool', `${run.tool.name} ${run.tool.version}`],
    ['Catalog version', run.catalog.version],
    ['Controls evaluated', run.catalog.controls],
    // A finding is one cause; its occurrences are the subjects that share it (the Occurrences sheet).
    ['Findings listed', scope.findings.length],
    ['Occurrences listed', scope.findings.reduce((sum, f) => sum + f.occurrences.length, 0)],
    ...countedFact(scope),
    ['Routes', scope.routes.length],
    ['Carriers', scope.carriers.length],
    ['Agreements', scope.agreements.length],
    ['Input files', scope.inputs.length],
  ];
  if (scope.errors !== null) facts.push(['Input errors', scope.errors.length]);
  if (scope.baseline !== null) {
    const { source, previousAuditDate, counts } = scope.baseline;
    facts.push(
      ['Baseline', source],
      ['Baseline audit date', dateCell(previousAuditDate)],
      ['New since baseline', counts.new],
      ['Changed since baseline', counts.changed],
      ['Unchanged since baseline', counts.unchanged],
      ['Resolved since baseline', counts.resolved],
    );
  }

  const bySeverity: Cell[][] = SEVERITIES.map((severity) => [
    severity,
    ...STATUSES.map((s) => scope.bySeverity[severity][s]),
    total(scope.bySeverity[severity]),
  ]);
  const columnTotals = STATUSES.map((s) =>
    SEVERITIES.reduce((sum, severity) => sum + scope.bySeverity[severity][s], 0),
  );
  bySeverity.push(['total', ...columnTotals, columnTotals.reduce((a, b) => a + b, 0)]);

  // Counts first, so both tables line up column for column; the name last, where it can run on.
  const operators: Cell[][] = scope.operators.map((o) => [
    o.id,
    ...STATUSES.map((s) => o.counts[s]),
    total(o.counts),
    o.result,
    o.country,
    o.name,
  ]);

  return [
    { kind: 'title', text: scope.operator === null ? 'ixaudit findings' : `ixaudit findings: ${scope.operator}` },
    { kind: 'facts', rows: facts },
    {
      kind: 'table',
      caption: 'Findings by severity and status',
      columns: [{ header: 'severity', width: 22, format: 'severity' }, ...COUNT_COLUMNS],
      rows: bySeverity,
    },
    {
      kind: 'table',
      caption: 'Operators',
      columns: [
        { header: 'operator', width: 22 },
        ...COUNT_COLUMNS,
        { header: 'result', width: 10, format: 'status' },
        { header: 'country', width: 9 },
        { header: 'name', width: 50 },
      ],
      rows: operators,
    },
  ];
}
