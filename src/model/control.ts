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
