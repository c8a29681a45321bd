import type { BaselineState, Finding, WaiverOutcome } from './finding.js';
import type { Diagnostic, Kind, Severity, SourcePos, Status } from './types.js';

/** One file the run read: its name as reports show it, SHA-256 and size; builtin = shipped with ixaudit. */
export interface InputFile {
  file: string;
  sha256: string;
  bytes: number;
  builtin: boolean;
}

/** A Carrier or Owner the auditor's registry files replaced or added. */
export interface RegistryChange {
  kind: 'Carrier' | 'Owner';
  id: string;
  change: 'replaced' | 'added';
  /** Where the auditor's document is: "file:line:column". */
  at: string;
  /** Where the bundled entry it replaces is (empty for an addition). */
  replaces: string;
}

/** A control as the reports list it (catalog in force, after the profile's tailoring). */
export interface ControlSummary {
  id: string;
  family: string;
  title: string;
  requirement: string;
  rationale: string;
  remediation: string;
  severity: Severity;
  references: Array<{ document: string; section?: string; note?: string }>;
  parameters: Record<string, unknown>;
}

/**
 * The overall result of an operator or of a run (spec controls.md, "Overall results"), in this order of
 * precedence: FAIL (a finding at or above the fail-on severity failed), ERROR (a control or the audit
 * could not be evaluated), INCOMPLETE (some document or route of the submission could not be loaded),
 * NOT GATED (no fail-on threshold: failures are shown, no verdict is given), PASS (none of these).
 */
export const VERDICTS = ['FAIL', 'ERROR', 'INCOMPLETE', 'NOT GATED', 'PASS'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface OperatorSummary {
  id: string;
  name: string;
  country: string;
  counts: Record<Status, number>;
  result: Verdict;
  /** Why the result is not PASS beyond failed findings: dropped documents and routes, errors (empty when none). */
  incomplete: string[];
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
    /** What the auditor's --registry files changed against the bundled registry (every report's appendix lists it). */
    registryChanges: RegistryChange[];
    /** How current the bundled registry is: its oldest checked date, and the facts older than maxRegistryAgeMonths. */
    registry: {
      asOf: string;
      maxAgeMonths: number;
      stale: Array<{ kind: 'Carrier' | 'Owner'; id: string; fact: string; checked: string; at: string }>;
    };
  };
  summary: {
    result: Verdict;
    byStatus: Record<Status, number>;
    bySeverity: Record<Severity, Record<Status, number>>;
    operators: OperatorSummary[];
    errors: number;
  };
  controls: ControlSummary[];
  findings: Finding[];
  /**
   * Route findings counted instead of listed: pass and not-applicable findings of operators with more
   * routes than the listing limit (failures are always listed). Absent when nothing was counted.
   */
  summarised?: SummarisedFindings[];
  waivers: WaiverOutcome[];
  errors: Diagnostic[];
  /** Present with --baseline: what changed since the previous run. */
  baseline?: BaselineComparison;
}

export interface BaselineComparison {
  /** The previous run's output folder, as given. */
  source: string;
  previousAuditDate: string;
  counts: Record<BaselineState, number>;
  /** Previous problems whose subject no longer appears at all (also counted as resolved). */
  removed: Array<{
    control: string;
    title: string;
    severity: Severity;
    operator: string;
    subject: string;
    previousStatus: Status;
    fingerprint: string;
  }>;
}

export const HOP_ROLES = ['primary', 'backup', 'transit'] as const;
export type HopRole = (typeof HOP_ROLES)[number];

/** One step of an ownership chain, from the carrier itself (share null) up to its ultimate controller. */
export interface ChainLink {
  id: string;
  name: string;
  type: string;
  /** Empty when the jurisdiction is unconfirmed. */
  country: string;
  /** The share this entity holds in the step before (null for the carrier itself). */
  share: number | null;
  /** The holding is declared controlling rather than a majority. */
  control: boolean;
}

/** One carrier on a route, as reports list it. */
export interface InventoryHop {
  carrier: string;
  /** Where the carrier sits on the route: reports decide by this, never by the display text `position`. */
  role: HopRole;
  /** primary | backup n | transit n: for display. */
  position: string;
  highRisk: boolean;
  unavoidable: boolean;
  controller: string;
  controllerName: string;
  country: string;
}

export interface InventoryRoute {
  operator: string;
  table: string;
  id: string;
  /** Subject reference, as findings name it: RoutingTable/<table>#<id>. */
  ref: string;
  protocol: string;
  status: string;
  /** The match criterion as text, e.g. "gtPrefix 8613". */
  match: string;
  destination: { country: string; plmn: string };
  trafficShare: number | null;
  encryption: string;
  firewall: string;
  hops: InventoryHop[];
  location: SourcePos;
}

export interface InventoryCarrier {
  id: string;
  name: string;
  roles: string[];
  incorporatedIn: string;
  headquarters: string;
  controller: { id: string; name: string; type: string; country: string };
  stateControlled: boolean;
  ownershipResolved: boolean;
  /** The ownership chain as reports print it (enrich/ownership.ts chainText). */
  chainText: string;
  /** The same chain, step by step: what reports draw (the PDF's chain diagrams), so none parses chainText. */
  chain: ChainLink[];
  highRisk: boolean;
  riskReasons: string[];
  listings: string[];
  /** Operators whose routes or agreements use this carrier. */
  usedBy: string[];
  /** For a carrier no trusted source knows: the operators whose submissions declared it (empty for registry and auditor entries). */
  declaredBy: string[];
  location: SourcePos;
}

export interface InventoryAgreement {
  operator: string;
  id: string;
  counterparty: string;
  services: string[];
  signed: string;
  expires: string;
  current: boolean;
  location: SourcePos;
}

export interface InventoryOperator {
  id: string;
  name: string;
  country: string;
  networks: string[];
  plmns: string[];
}

/** What was audited, for reports that list routes, carriers and agreements (workbook, PDF appendices). */
export interface Inventory {
  operators: InventoryOperator[];
  routes: InventoryRoute[];
  carriers: InventoryCarrier[];
  agreements: InventoryAgreement[];
}

/** The model every reporter receives: the findings (what findings.json holds) and the inventory. */
export interface AuditReport {
  result: AuditResult;
  inventory: Inventory;
  /** Documents of each kind loaded from the submissions, for the terminal ("loaded 4 Operator, …"). */
  loaded?: Record<Kind, number>;
  /** Submission paths --ignore or an .ixauditignore left out, and the pattern that did it (for --verbose). */
  ignored?: Array<{ path: string; by: string }>;
}

export interface SummarisedFindings {
  operator: string;
  control: string;
  status: 'pass' | 'not-applicable';
  count: number;
  /** The first few subjects, in table order, as examples. */
  examples: string[];
}
