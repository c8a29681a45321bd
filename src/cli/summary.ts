import { relative } from 'node:path';
import type { AuditResult, Verdict } from '../model/report.js';
import type { ProgressListener } from '../audit/parallel.js';
import { blocksRun } from '../audit/run-audit.js';
import { quotedName, terminalText as t } from '../model/text.js';

const CODES = { red: 31, green: 32, yellow: 33, bold: 1, dim: 2 } as const;

export function style(enabled: boolean, code: keyof typeof CODES, text: string): string {
  return enabled ? `\u001b[${CODES[code]}m${text}\u001b[0m` : text;
}

/**
 * The short end-of-run summary: per operator its result and counts, then the failures that set the exit code.
 * Every text from the inputs goes through t() (control and bidi characters shown as \uXXXX) and file
 * names through quotedName(): an operator name must not clear the screen or forge a PASS line.
 */
export function printSummary(result: AuditResult, written: string[], color: boolean, loaded?: string): void {
  const { run, summary } = result;
  const lines: string[] = [];
  lines.push(
    `ixaudit ${run.tool.version} · catalog ${run.catalog.version} · profile ${t(run.profile.id)} · audit date ${t(run.auditDate)} · fail on ${run.profile.failOn}`,
  );
  // Say what was read, so a submission that loaded nothing cannot pass for a clean one.
  if (loaded !== undefined) lines.push(`  loaded ${loaded} from the submissions`);
  const registry = run.registry;
  lines.push(
    `  carrier registry as of ${registry.asOf}${registry.stale.length > 0 ? style(color, 'yellow', ` · ${registry.stale.length} fact(s) older than ${registry.maxAgeMonths} months (see findings.json run.registry)`) : ''}${run.registryChanges.length > 0 ? ` · ${run.registryChanges.length} entr${run.registryChanges.length === 1 ? 'y' : 'ies'} changed by --registry` : ''}`,
  );
  for (const op of summary.operators) {
    const c = op.counts;
    lines.push(
      `  ${verdictText(color, op.result)} ${t(op.id)} (${t(op.name)}): ${c.fail} failed, ${c['not-evidenced']} not evidenced, ${c.waived} waived, ${c.error} errors, ${c.pass} passed, ${c['not-applicable']} not applicable`,
    );
    // Why a result is not complete, on the operator's own line: the reader must not take its figures as the whole.
    const shown = op.incomplete.slice(0, 3);
    for (const reason of shown) lines.push(`      ${style(color, 'yellow', 'not audited:')} ${t(reason)}`);
    if (op.incomplete.length > shown.length)
      lines.push(`      … and ${op.incomplete.length - shown.length} more, listed above`);
  }
  lines.push(
    `  Overall result: ${verdictText(color, summary.result)}${summary.result === 'NOT GATED' ? ' (--fail-on none: failures are shown, no verdict is given)' : ''}`,
  );
  if (result.baseline) {
    const c = result.baseline.counts;
    lines.push(
      `  since ${t(result.baseline.previousAuditDate)} (${t(result.baseline.source)}): ${c.new} new, ${c.regressed} regressed, ${c.improved} improved, ${c.changed} changed, ${c.resolved} resolved, ${c.unchanged} unchanged`,
    );
  }
  const blocking = result.findings.filter((f) => blocksRun(result, f));
  if (blocking.length > 0) {
    lines.push('', `Failed at or above ${run.profile.failOn}:`);
    const shown = blocking.slice(0, 20);
    for (const f of shown) {
      lines.push(
        `  ${style(color, 'bold', t(f.control))} ${style(color, f.severity === 'critical' ? 'red' : 'yellow', f.severity)} ${t(f.operator)} ${t(f.subject)}`,
      );
      lines.push(`    ${quotedName(f.location.file)}:${f.location.line}:${f.location.column} ${t(f.message)}`);
    }
    if (blocking.length > shown.length) lines.push(`  … and ${blocking.length - shown.length} more in findings.json`);
  }
  const waiverIssues = result.waivers.filter(
    (w) => w.status === 'expired' || w.status === 'unmatched' || w.status === 'requested',
  );
  for (const w of waiverIssues)
    lines.push(`  ${style(color, 'yellow', `waiver ${w.status}`)} ${t(w.operator)} ${t(w.id)}: ${t(w.message)}`);
  if (result.errors.length > 0)
    lines.push('', style(color, 'red', `${result.errors.length} input error(s), listed above; the rest was audited.`));
  lines.push('', `Wrote ${written.map((w) => quotedName(relative(process.cwd(), w) || w)).join(', ')}`);
  console.log(lines.join('\n'));
}

const VERDICT_COLOUR: Record<Verdict, keyof typeof CODES> = {
  PASS: 'green',
  FAIL: 'red',
  ERROR: 'red',
  INCOMPLETE: 'yellow',
  'NOT GATED': 'bold',
};

function verdictText(color: boolean, verdict: Verdict): string {
  return style(color, VERDICT_COLOUR[verdict], verdict);
}

/**
 * Progress while operators are audited: on a terminal one line rewritten in place; otherwise one plain
 * line per operator finished (for logs and CI).
 */
export function progressReporter(
  stream: NodeJS.WriteStream,
  color: boolean,
): (event: Parameters<ProgressListener>[0] | { stage: 'done' }) => void {
  const tty = stream.isTTY === true;
  return (event) => {
    if (event.stage === 'loaded') {
      if (tty) stream.write(`loaded inputs; auditing ${event.operators} operator(s)…`);
    } else if (event.stage === 'operator') {
      const c = countStatuses(event.outcome.findings);
      const line = `audited ${t(event.outcome.operatorId)} (${event.done}/${event.total}): ${c.fail} failed, ${c.error} errors`;
      stream.write(tty ? `\r\u001b[2K${style(color, 'dim', line)}` : `${line}\n`);
    } else if (tty) stream.write('\r\u001b[2K');
  };
}

function countStatuses(findings: Array<{ status: string }>): Record<string, number> {
  const counts: Record<string, number> = { fail: 0, error: 0 };
  for (const f of findings) counts[f.status] = (counts[f.status] ?? 0) + 1;
  return counts;
}

/** `--json`: what a script needs to act on the run, without parsing findings.json. */
export function jsonSummary(result: AuditResult, written: string[], exitCode: number) {
  return {
    exitCode,
    result: result.summary.result,
    auditDate: result.run.auditDate,
    profile: result.run.profile.id,
    failOn: result.run.profile.failOn,
    tool: result.run.tool.version,
    catalog: result.run.catalog.version,
    byStatus: result.summary.byStatus,
    operators: result.summary.operators,
    errors: result.errors.length,
    baseline: result.baseline?.counts,
    outputs: written.map((w) => relative(process.cwd(), w) || w),
  };
}
