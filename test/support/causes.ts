import { createHash } from 'node:crypto';
import type { Finding } from '../../src/model/finding.js';
import type { AuditReport } from '../../src/model/report.js';
import { SEVERITIES } from '../../src/model/types.js';

// Reports with many occurrences per finding, for the reporters' tests (issue 15): built from a real audit,
// so every format is tested with causes whether or not the engine grouped a case already.

/** The findings of one control, operator, status and waiver as one cause. Totals (result.summary) stay. */
export function mergedByCause(report: AuditReport): AuditReport {
  const copy: AuditReport = structuredClone(report);
  const merged = new Map<string, Finding>();
  for (const f of copy.result.findings) {
    const key = [f.control, f.operator, f.status, f.waiver?.id ?? ''].join('\u0000');
    const into = merged.get(key);
    if (into) into.occurrences.push(...f.occurrences);
    else merged.set(key, { ...f, occurrences: [...f.occurrences] });
  }
  copy.result.findings = [...merged.values()];
  return copy;
}

/**
 * A national-scale run in miniature: `routes` routes of one table failing one control through `causes`
 * causes (route i has cause i mod causes), and passing another control as one cause. `varied`: the failing
 * causes take four severities in turn and an excerpt at their first occurrence (as the SARIF tests want).
 */
export function nationalScale(base: AuditReport, routes = 20_000, causes = 50, varied = false): AuditReport {
  const copy: AuditReport = structuredClone(base);
  const failing = copy.result.findings.find((f) => f.status === 'fail' && f.subject.startsWith('RoutingTable/'))!;
  const passing = copy.result.findings.find(
    (f) => f.status === 'pass' && f.subject.startsWith('RoutingTable/') && f.control !== failing.control,
  )!;
  const route = (i: number) => ({
    subject: `RoutingTable/rt-national#r-${String(i).padStart(7, '0')}`,
    location: { file: failing.location.file, line: 10 + 9 * i, column: 7 },
  });
  const fingerprint = (...parts: unknown[]) => createHash('sha256').update(parts.join('/')).digest('hex').slice(0, 32);
  const cause = (template: Finding, c: number, members: number[]): Finding => {
    const occurrences = members.map((i) => ({ ...route(i), fingerprint: fingerprint(template.control, i) }));
    const { line } = occurrences[0].location;
    return {
      ...template,
      ...(varied && template.status === 'fail' ? { severity: SEVERITIES[c % 4] } : {}),
      message: `${template.message} (cause ${c + 1})`,
      subject: occurrences[0].subject,
      location: occurrences[0].location,
      fingerprint: occurrences[0].fingerprint,
      ...(varied && template.excerpt
        ? { excerpt: [line - 1, line, line + 1].map((l) => ({ line: l, text: `      # line ${l}` })) }
        : {}),
      occurrences,
    };
  };
  const all = Array.from({ length: routes }, (_, i) => i);
  copy.result.findings = [
    ...Array.from({ length: causes }, (_, c) =>
      cause(
        failing,
        c,
        all.filter((i) => i % causes === c),
      ),
    ),
    cause(passing, 0, all),
  ];
  return copy;
}
