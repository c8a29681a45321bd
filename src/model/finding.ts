import type { Severity, SourcePos, Status } from './types.js';

export interface FindingWaiver {
  id: string;
  status: 'applied' | 'expired';
  expires: string;
}

/** One control's verdict on one subject of one operator. The schema is documented in docs/findings.md. */
export interface Finding {
  control: string;
  title: string;
  family: string;
  severity: Severity;
  status: Status;
  operator: string;
  /** `Kind/id` or `Kind/id#child-id`, e.g. RoutingTable/rt-ss7#r-0001. */
  subject: string;
  location: SourcePos;
  message: string;
  evidence: Record<string, unknown>;
  remediation: string;
  waiver?: FindingWaiver;
  /** For findings that need attention (not pass / not-applicable): the YAML lines around the location. */
  excerpt?: Array<{ line: number; text: string }>;
  /** Present when the run was compared with a previous one (--baseline). */
  baseline?: { state: BaselineState; previousStatus?: Status };
  /** Stable across runs: derived from control, operator and subject only. */
  fingerprint: string;
}

/**
 * What a comparison with a previous run (--baseline) says of a finding, by fingerprint: `new`, `regressed`
 * (its status got worse), `improved` (better, but still a problem), `changed` (same status, other figures
 * or evidence), `unchanged`, `resolved` (was a problem, no longer is).
 */
export const BASELINE_STATES = ['new', 'regressed', 'improved', 'changed', 'unchanged', 'resolved'] as const;
export type BaselineState = (typeof BASELINE_STATES)[number];

/**
 * `requested`: a waiver inside a submission that the auditor did not accept (not in --waivers, and the
 * profile does not set acceptSubmissionWaivers): reported with its justification, it changes no finding.
 */
export type WaiverStatus = 'applied' | 'expired' | 'unmatched' | 'not-needed' | 'requested';

export interface WaiverOutcome {
  id: string;
  operator: string;
  control: string;
  status: WaiverStatus;
  expires: string;
  targets: string[];
  /** Subjects of the findings the waiver matched. */
  matched: string[];
  /** Why the exception was accepted, who approved it, the ticket and compensating controls, as declared. */
  justification: string;
  approvedBy: string;
  ticket: string;
  compensatingControls: string[];
  location: SourcePos;
  message: string;
  /** Who supplied it: the auditor (--waivers) or the audited operator's own submission. */
  source: 'auditor' | 'submission';
}
