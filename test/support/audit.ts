import { readFileSync } from 'node:fs';
import { runAudit, type AuditOptions } from '../../src/cli/run-audit.js';
import type { AuditReport, AuditResult } from '../../src/model/report.js';

/** Runs the whole pipeline on files, with a fixed "today" so nothing depends on the clock. */
export function audit(paths: string[], options: Partial<AuditOptions> = {}): AuditResult {
  return auditReport(paths, options).result;
}

/** The findings and the inventory, as reporters receive them. */
export function auditReport(paths: string[], options: Partial<AuditOptions> = {}): AuditReport {
  return runAudit({ paths, today: '2026-07-01', ...options });
}

export interface Expectation {
  status: string;
  subject: string;
  line: number;
}

/** `# expect: <status> <subject>` comments: the finding must point at the comment's own line. */
export function expectationsIn(file: string): Expectation[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((text, i) => {
      const match = /# expect: (\S+) (\S+)\s*$/.exec(text);
      return match ? [{ status: match[1], subject: match[2], line: i + 1 }] : [];
    });
}
