import type { Status } from '../../model/types.js';
import { OCCURRENCE_LIMIT, type OperatorReport } from './model.js';

/** The run's facts as templates name them (`report.*`), the same in operator and sector reports. */
export function reportFacts(id: string, run: OperatorReport['run']) {
  return {
    id,
    auditDate: run.auditDate,
    auditDateSource: run.auditDateSource,
    tool: run.tool.name,
    toolVersion: run.tool.version,
    catalogVersion: run.catalog.version,
    controls: run.catalog.controls,
    profile: run.profile.id,
    profileChain: run.profile.chain.join(' → '),
    failOn: run.profile.failOn,
  };
}

/** The verdict and status counts as templates name them (`result.*`), the same in operator and sector reports. */
export function resultFacts(verdict: string, total: number, counts: Record<Status, number>) {
  return {
    verdict,
    failed: verdict === 'FAIL',
    total,
    fail: counts.fail,
    notEvidenced: counts['not-evidenced'],
    waived: counts.waived,
    error: counts.error,
    pass: counts.pass,
    notApplicable: counts['not-applicable'],
    attention: counts.fail + counts['not-evidenced'] + counts.error + counts.waived,
  };
}

/**
 * The variables every template sees. Every key is always present (null or 0 when there is nothing), because
 * templates run in strict mode where a missing key is an error: the documented set is this function.
 */
export function templateContext(
  report: OperatorReport,
  protocolName: (p: string) => string = (p) => p,
  attachment: { attached: boolean; name: string; limit: string } = {
    attached: true,
    name: `${report.operator.id}.findings.json`,
    limit: '',
  },
) {
  const { run, counts } = report;
  const waiverCount = (status: string) => report.waivers.filter((w) => w.status === status).length;
  return {
    /** false here; the sector report's context has its figures (sector.ts), so a shared template can tell them apart. */
    sector: false as const,
    operator: {
      id: report.operator.id,
      name: report.operator.name,
      country: report.operator.country,
      networks: report.operator.networks,
      plmns: report.operator.plmns,
    },
    report: reportFacts(report.reportId, run),
    result: resultFacts(report.verdict, report.total, counts),
    /**
     * Findings by cause: `attention` findings need attention (fail, not-evidenced, error, waived), each
     * standing for one or more subjects (its occurrences) that share the cause; `result.*` counts subjects.
     */
    findings: {
      attention: report.families.reduce(
        (n, family) => n + family.controls.reduce((m, c) => m + c.findings.length, 0),
        0,
      ),
      /** How many occurrences a finding names before "and N more". */
      occurrenceLimit: OCCURRENCE_LIMIT,
    },
    /** Whether the findings JSON is attached to the PDF (`name`), or was larger than `limit` and left out. */
    attachment,
    /** What could not be loaded or evaluated for this operator; empty when the submission was complete. */
    incomplete: report.incomplete,
    scope: {
      ...report.scope,
      protocolList: report.scope.protocols.map(protocolName).join(', '),
    },
    exposures: report.exposures,
    waivers: {
      total: report.waivers.length,
      applied: waiverCount('applied'),
      expired: waiverCount('expired'),
      unmatched: waiverCount('unmatched'),
      notNeeded: waiverCount('not-needed'),
      requested: waiverCount('requested'),
    },
    inputs: {
      files: report.inputs.length,
      submitted: report.inputs.filter((i) => !i.builtin).length,
      errors: report.errors.length,
    },
    parameters: run.profile.parameters,
  };
}

export type TemplateContext = ReturnType<typeof templateContext>;
