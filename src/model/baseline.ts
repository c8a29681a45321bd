import { createHash } from 'node:crypto';
import type { Finding, Occurrence } from './finding.js';

// What a comparison with a previous run (--baseline) reads of that run: written by the loader
// (load/baseline.ts), compared by the engine (engine/baseline.ts), so it lives here, below both.

/** One finding of the previous run, as a comparison reads it. */
export interface PreviousFinding
  extends Pick<Finding, 'control' | 'operator' | 'subject' | 'status' | 'fingerprint' | 'severity' | 'title'> {
  /**
   * findingDigest of the previous finding's message and evidence: what tells `changed` from `unchanged`
   * when the status is the same. The --baseline reader keeps this instead of the evidence itself.
   */
  digest?: string;
  /**
   * The fingerprint of the previous cause this subject belonged to (the previous finding's own): a cause
   * that no longer holds all of a previous cause's subjects lost occurrences. Absent in 1.0/2.0 files.
   */
  cause?: string;
  /** Read instead of `digest` when that is absent (a previous AuditResult's findings passed in-process). */
  message?: string;
  evidence?: Record<string, unknown>;
  /**
   * A previous AuditResult's findings passed in-process are causes: each occurrence is compared as a
   * subject of its own (engine/baseline.ts, previousBySubject). The --baseline reader gives one subject
   * per entry and leaves this out.
   */
  occurrences?: Array<Pick<Occurrence, 'subject' | 'fingerprint' | 'evidence'>>;
}

/** What a previous run's findings.json must provide for a comparison. */
export interface PreviousFindings {
  auditDate: string;
  findings: PreviousFinding[];
}

/**
 * A stable digest of what a finding says (its message and evidence): the same whatever the order of the
 * evidence's keys and whether it was built in memory or read back from findings.json (undefined members
 * are dropped, as JSON drops them). 16 hex digits: a comparison keeps one per previous finding.
 */
export function findingDigest(f: { message: string; evidence: unknown }): string {
  return createHash('sha256')
    .update(canonicalJson([f.message, withoutPlaces(f.evidence ?? {})]))
    .digest('hex')
    .slice(0, 16);
}

/**
 * Evidence keys that say where, not what (a registry carrier's `usedAt`): a line moved in a submission
 * must not make its finding `changed`.
 */
const PLACE_EVIDENCE: readonly string[] = ['usedAt'];

function withoutPlaces(evidence: unknown): unknown {
  if (evidence === null || typeof evidence !== 'object' || Array.isArray(evidence)) return evidence;
  if (!PLACE_EVIDENCE.some((k) => k in evidence)) return evidence;
  const rest = { ...(evidence as Record<string, unknown>) };
  for (const k of PLACE_EVIDENCE) delete rest[k];
  return rest;
}

/** JSON with object keys sorted at every level and undefined members dropped, as findings.json would hold them. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}
