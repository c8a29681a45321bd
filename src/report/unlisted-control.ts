import type { Finding } from '../model/finding.js';
import type { ControlSummary } from '../model/report.js';

/**
 * A control for a finding whose control is not in the catalog in force (the engine's ICX-ENGINE error
 * when an operator's audit crashed, or a control of a previous run that is now disabled), so formats
 * that index results by control always have one to point at.
 */
export function unlistedControl(
  finding: Pick<Finding, 'control' | 'title' | 'severity'> & Partial<Pick<Finding, 'family' | 'remediation'>>,
): ControlSummary {
  const family = finding.family ?? /^ICX-([A-Z]+)-/.exec(finding.control)?.[1] ?? '';
  return {
    id: finding.control,
    family,
    title: finding.title,
    requirement: finding.title,
    rationale: '',
    remediation: finding.remediation ?? '',
    severity: finding.severity,
    references: [],
    parameters: {},
  };
}
