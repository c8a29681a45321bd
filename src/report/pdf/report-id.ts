import { createHash } from 'node:crypto';
import type { Finding } from '../../model/finding.js';

/**
 * The report id printed on every page: the first 16 hex digits of the SHA-256 of the operator's findings
 * (as findings.json serialises them, already sorted). The same audit gives the same id, and any change in
 * a finding changes it. Kept to this one function so issue 6 can swap in the run manifest's hash.
 */
export function reportId(findings: readonly Finding[]): string {
  return createHash('sha256').update(JSON.stringify(findings)).digest('hex').slice(0, 16);
}
