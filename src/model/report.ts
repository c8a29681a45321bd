import type { InputFile } from '../load/index.js';
import type { Finding, WaiverOutcome } from './finding.js';
import type { Diagnostic, Severity, Status } from './types.js';

/** A control as the reports list it (catalog in force, after the profile's tailoring). */
export interface ControlSummary {
  id: string;
  family: string;
  title: string;
  requirement: string;
  severity: Severity;
  references: Array<{ document: string; section?: string; note?: string }>;
  parameters: Record<string, unknown>;
}

export interface OperatorSummary {
  id: string;
  name: string;
  country: string;
  counts: Record<Status, number>;
  /** fail when a finding at or above the fail-on severity fails. */
  result: 'pass' | 'fail';
}

/** Everything one audit run produced: the model every reporter reads (they never re-parse inputs). */
export interface AuditResult {
  schemaVersion: string;
  run: {
    tool: { name: string; version: string };
    catalog: { version: string; controls: number };
    auditDate: string;
    auditDateSource: 'profile' | 'option' | 'today';
    profile: {
      id: string;
      chain: string[];
      file: string;
      failOn: Severity | 'none';
      disabled: string[];
      severity: Record<string, Severity>;
      parameters: Record<string, unknown>;
    };
    inputs: InputFile[];
  };
  summary: {
    result: 'pass' | 'fail';
    byStatus: Record<Status, number>;
    bySeverity: Record<Severity, Record<Status, number>>;
    operators: OperatorSummary[];
    errors: number;
  };
  controls: ControlSummary[];
  findings: Finding[];
  waivers: WaiverOutcome[];
  errors: Diagnostic[];
}
