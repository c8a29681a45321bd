import { createHash } from 'node:crypto';
import type { Protocol, Severity } from './types.js';

/** A control as written in controls/<family>/<ID>.yaml (validated by control.schema.json). */
export interface ControlDefinition {
  id: string;
  family: 'OWN' | 'RT' | 'FW' | 'ENC' | 'CT' | 'MON' | 'RES';
  title: string;
  requirement: string;
  rationale: string;
  severity: Severity;
  appliesTo: {
    subject: 'operator' | 'carrier' | 'agreement' | 'route' | 'routingTable' | 'firewall' | 'aggregate';
    aggregate?: 'highRiskTrafficShare' | 'primaryShareByController';
    protocols?: Protocol[];
    statuses?: Array<'active' | 'standby' | 'disabled'>;
    networks?: string[];
  };
  parameters?: Record<string, { description: string; default?: unknown }>;
  references: Array<{ document: string; section?: string; note?: string }>;
  remediation: string;
  check: {
    /** How the check decides, in plain words, for readers of docs/controls.md (not part of its meaning). */
    description: string;
    applies?: string;
    notApplicable?: string;
    evidenced?: string;
    notEvidenced?: string;
    let?: Record<string, string>;
    pass: string;
    evidence?: Record<string, string>;
    location?: string;
  };
  messages: { pass: string; fail: string };
}

/**
 * What decides a control's outcome — its applicability, severity, parameter defaults and the CEL that
 * computes pass / fail / not-applicable / not-evidenced — without its wording (title, rationale,
 * messages, remediation, references) or what it reports (evidence, location). Changing any of it changes
 * what the control means, which controls/catalog.yaml records with the catalog version.
 */
export function controlMeaning(definition: ControlDefinition): string {
  const { applies, evidenced, pass } = definition.check;
  const meaning = {
    appliesTo: definition.appliesTo,
    severity: definition.severity,
    parameters: Object.fromEntries(
      Object.entries(definition.parameters ?? {}).map(([name, p]) => [name, p.default ?? null]),
    ),
    check: { applies: applies ?? null, evidenced: evidenced ?? null, let: definition.check.let ?? {}, pass },
  };
  return createHash('sha256').update(canonicalJson(meaning)).digest('hex').slice(0, 16);
}

/** JSON with object keys sorted at every level, so the same meaning always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(typeof value === 'string' ? value.replace(/\s+/g, ' ').trim() : value);
}
