/** Shared data types that flow from the loader through enrichment and the engine to the reporters. */

import { compareText } from './order.js';
import type { AuditProfileDocument } from './generated/audit-profile.js';
import type { CarrierDocument } from './generated/carrier.js';
import type { FirewallPolicyDocument } from './generated/firewall-policy.js';
import type { InterconnectAgreementDocument } from './generated/interconnect-agreement.js';
import type { OperatorDocument } from './generated/operator.js';
import type { OwnerDocument } from './generated/owner.js';
import type { RoutingTableDocument } from './generated/routing-table.js';
import type { WaiverDocument } from './generated/waiver.js';

export interface SourcePos {
  file: string;
  line: number;
  column: number;
}

/** What kind of problem a diagnostic reports; documented in docs/findings.md. */
export type DiagnosticCode =
  | 'io'
  | 'encoding'
  | 'yaml-syntax'
  | 'yaml-limit'
  | 'schema'
  | 'reference'
  | 'duplicate-id'
  | 'ownership-cycle'
  | 'ownership'
  | 'conflict'
  | 'control'
  | 'profile'
  | 'usage';

/** An input, usage or catalog problem, always tied to a place in a file. */
export interface Diagnostic extends SourcePos {
  code: DiagnosticCode;
  message: string;
  /**
   * The operator whose submission the problem belongs to, when the document says (its metadata.operator,
   * or an Operator's id) — so a document that could not be loaded still makes that operator INCOMPLETE.
   */
  operator?: string;
  /** The document the problem made the loader drop, when it says its kind and id (e.g. an Operator that failed its schema). */
  dropped?: { kind: string; id: string };
}

/**
 * Who supplied a document (spec input-model.md, "Who supplies what"): shipped with the tool, supplied by
 * the auditor (--profile, --registry, --waivers) or part of an audited operator's submission (positional
 * inputs). A submission can never change the rules or the trusted facts.
 */
export type Origin = 'builtin' | 'auditor' | 'submission';

export const KINDS = [
  'Operator',
  'Owner',
  'Carrier',
  'InterconnectAgreement',
  'RoutingTable',
  'FirewallPolicy',
  'Waiver',
  'AuditProfile',
] as const;
export type Kind = (typeof KINDS)[number];

/** Kinds shared by every submission of a run (no metadata.operator). */
export const SHARED_KINDS: readonly Kind[] = ['Operator', 'Owner', 'Carrier', 'AuditProfile'];

export const PROTOCOLS = ['ss7', 'diameter', 'gtp', 'sms', 'voice', 'n32'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
export const SIGNALLING_PROTOCOLS: readonly Protocol[] = ['ss7', 'diameter', 'gtp', 'n32'];

/**
 * Protocols in the catalog's order (ss7, diameter, gtp, sms, voice, n32). The schemas admit no other, but a
 * name outside the list (typed as plain text in views) sorts after them, by code point, so the order is total.
 */
export function compareProtocols(a: string, b: string): number {
  return protocolRank(a) - protocolRank(b) || compareText(a, b);
}

function protocolRank(protocol: string): number {
  const rank = (PROTOCOLS as readonly string[]).indexOf(protocol);
  return rank >= 0 ? rank : PROTOCOLS.length;
}

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const STATUSES = ['fail', 'error', 'not-evidenced', 'waived', 'pass', 'not-applicable'] as const;
export type Status = (typeof STATUSES)[number];

/** Statuses that need a reader's attention: shown with excerpts, listed in reports, counted as causes to act on. */
export const ATTENTION_STATUSES: ReadonlySet<Status> = new Set(['fail', 'not-evidenced', 'error', 'waived']);

/** Control families in the catalog's order (spec/controls.md). */
export const FAMILY_ORDER: readonly string[] = ['OWN', 'RT', 'FW', 'ENC', 'CT', 'MON', 'RES'];

/** Lower rank = more severe; used for sorting and the --fail-on threshold. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** A path into a YAML document, e.g. ['spec', 'routes', 3, 'primary', 'carrier']. */
export type DocPath = ReadonlyArray<string | number>;

/** A path written with dots, as controls and hop views write them: "backups.0.carrier" → ['backups', 0, 'carrier']. */
export function docPathOf(text: string): DocPath {
  return text.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * What a document of each kind holds, as its JSON Schema accepts it: the types generated from
 * src/model/schemas (src/model/generated). Extending Record<Kind, …> makes a kind without its type an error.
 */
export interface DocumentValues extends Record<Kind, unknown> {
  Operator: OperatorDocument;
  Owner: OwnerDocument;
  Carrier: CarrierDocument;
  InterconnectAgreement: InterconnectAgreementDocument;
  RoutingTable: RoutingTableDocument;
  FirewallPolicy: FirewallPolicyDocument;
  Waiver: WaiverDocument;
  AuditProfile: AuditProfileDocument;
}

/** Where a loaded document comes from and who supplied it, whatever its kind. */
interface LoadedDocumentBase {
  file: string;
  /** 0-based index of the document inside its file. */
  index: number;
  id: string;
  operator?: string;
  /** True for documents shipped with the tool (reference registry, shipped profiles). */
  builtin: boolean;
  /** Who supplied it; set when the run sorts its inputs (absent: treated as a submission). */
  origin?: Origin;
  positions: PositionLookup;
}

/**
 * One YAML document as plain data, with the source position of every node; its value passed its kind's
 * schema. `LoadedDocument<'RoutingTable'>` is a routing table; `LoadedDocument` is a document of any kind,
 * a union that `doc.kind === 'Carrier'` narrows to a carrier.
 */
export type LoadedDocument<K extends Kind = Kind> = K extends Kind
  ? LoadedDocumentBase & { kind: K; value: DocumentValues[K] }
  : never;

export interface PositionLookup {
  /** Where the value at `path` starts; falls back to the closest existing parent so a missing field points at its parent. */
  locate(path: DocPath): SourcePos;
  /** Where the key of the entry at `path` is written (for "unknown field" errors); falls back like locate(). */
  locateKey(path: DocPath): SourcePos;
}

export function formatDiagnostic(d: Diagnostic): string {
  // Problems with no place in a file (a missing path, a bad option) carry line 0.
  return d.line > 0 ? `${d.file}:${d.line}:${d.column}: ${d.message}` : `${d.file}: ${d.message}`;
}
