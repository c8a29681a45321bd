import type { Severity, SourcePos, Status } from './types.js';

export interface FindingWaiver {
  id: string;
  status: 'applied' | 'expired';
  expires: string;
}

/**
 * One place a cause shows up (issue 15): a route or document with its own location and fingerprint.
 * What all occurrences share (message, evidence, remediation, excerpt) is stored once, on the finding.
 */
export interface Occurrence {
  /** `Kind/id` or `Kind/id#child-id`, as Finding.subject. */
  subject: string;
  location: SourcePos;
  /** Stable across runs (control, operator and this subject): --baseline compares occurrence by occurrence. */
  fingerprint: string;
  /**
   * The evidence that is this occurrence's own, absent when there is none: the keys its control declares
   * per occurrence (`occurrenceEvidence`, e.g. a route's destination group), and `declaredBy` of a carrier
   * that not all occurrences share. The rest of its evidence is the finding's.
   */
  evidence?: Record<string, unknown>;
  /** Present with --baseline: this occurrence against the previous run, by its fingerprint. */
  baseline?: OccurrenceBaseline;
}

/** What a comparison with a previous run (--baseline) says of one occurrence: its state and the status it had. */
export interface OccurrenceBaseline {
  state: BaselineState;
  previousStatus?: Status;
}

/**
 * A finding's baseline sums up its occurrences': `state` and `previousStatus` are those of its first
 * occurrence (as `subject` and `location` are), `counts` how many of its occurrences are in each state
 * (states with none left out). The engine always sets `counts`; it is optional for findings made by hand.
 */
export interface FindingBaseline extends OccurrenceBaseline {
  counts?: Partial<Record<BaselineState, number>>;
  /**
   * Occurrences of the previous run's causes that share occurrences with this one and are not in it now
   * (they pass now, belong to another cause or are gone): the cause lost them. Absent when none.
   */
  lost?: number;
}

/**
 * One control's verdict on one cause of one operator: the subjects that share it are its occurrences;
 * `subject`, `location` and `fingerprint` are those of the first. The schema is documented in docs/findings.md.
 */
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
  /** Present when the run was compared with a previous one (--baseline): a summary of its occurrences'. */
  baseline?: FindingBaseline;
  /** Stable across runs: derived from control, operator and subject only (the first occurrence's). */
  fingerprint: string;
  /**
   * Every subject with this cause, in table order, the first being `subject`; never empty. Counts of
   * verdicts (summary, operator counts) count occurrences, so grouping changes no total.
   */
  occurrences: Occurrence[];
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
