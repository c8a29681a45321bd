import { relative } from 'node:path';
import type { Finding } from '../model/finding.js';
import type { AuditResult, Verdict } from '../model/report.js';
import type { ProgressListener } from '../audit/parallel.js';
import { blocksRun } from '../audit/run-audit.js';
import type { LoadPhase, StepCount } from '../model/progress.js';
import type { Heartbeat } from './heartbeat.js';
import type { WriteProgress } from '../report/types.js';
import { quotedName, terminalText as t } from '../model/text.js';
import { severityRank } from '../model/types.js';
import { countText } from '../report/number-text.js';

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
      `  ${verdictText(color, op.result)} ${t(op.id)} (${t(op.name)}): ${countText(c.fail)} failed, ${countText(c['not-evidenced'])} not evidenced, ${countText(c.waived)} waived, ${countText(c.error)} errors, ${countText(c.pass)} passed, ${countText(c['not-applicable'])} not applicable`,
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
      `  since ${t(result.baseline.previousAuditDate)} (${t(result.baseline.source)}): ${countText(c.new)} new, ${countText(c.regressed)} regressed, ${countText(c.improved)} improved, ${countText(c.changed)} changed, ${countText(c.resolved)} resolved, ${countText(c.unchanged)} unchanged`,
    );
  }
  // One line per cause, the most severe first (a stable sort keeps the findings' order within a severity).
  const blocking = result.findings
    .filter((f) => blocksRun(result, f))
    .sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
  if (blocking.length > 0) {
    lines.push('', `Failed at or above ${run.profile.failOn}:`);
    const shown = blocking.slice(0, 20);
    for (const f of shown) {
      const others = f.occurrences.length - 1;
      lines.push(
        `  ${style(color, 'bold', t(f.control))} ${style(color, f.severity === 'critical' ? 'red' : 'yellow', f.severity)} ${t(f.operator)} ${t(f.subject)}${others > 0 ? ` and ${countText(others)} more with the same cause` : ''}`,
      );
      lines.push(`    ${quotedName(f.location.file)}:${f.location.line}:${f.location.column} ${t(f.message)}`);
    }
    if (blocking.length > shown.length)
      lines.push(`  … and ${countText(blocking.length - shown.length)} more in findings.json`);
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

export type ProgressEvent =
  | Parameters<ProgressListener>[0]
  | { stage: 'preparing' }
  | { stage: 'writing'; format: string; index: number; total: number }
  | ({ stage: 'writing-file'; format: string } & WriteProgress)
  | { stage: 'done' };

/** Inside a long stage a step is shown only when nothing was shown for this long (a small run shows none). */
export const STEP_INTERVAL_MS = 1_000;
/**
 * A step that begins something new (another file, phase, control, output file) is shown after this long:
 * otherwise a step that began just after a line was shown stayed unnamed for as long as it took.
 */
export const NEW_STEP_INTERVAL_MS = 500;
/** From this many routes a run names every stage as it starts (each can take seconds). */
export const LARGE_RUN_ROUTES = 100_000;

/**
 * Progress from the first moment to the last, so a long run never leaves the terminal blank: loading,
 * each file being read and each control being evaluated when that takes long, each operator audited
 * (with its counts), each report format written. On a terminal one line rewritten in place; otherwise
 * one plain line per step (for logs and CI). `now` is the clock, for tests. `heartbeat` starts the
 * watcher that repeats the last line while one call holds the main thread (heartbeat.ts): once the run
 * is large enough for that to happen (a table read in pieces, or LARGE_RUN_ROUTES routes).
 */
export function progressReporter(
  stream: NodeJS.WriteStream,
  color: boolean,
  now: () => number = () => performance.now(),
  heartbeat?: () => Heartbeat,
): (event: ProgressEvent) => void {
  const tty = stream.isTTY === true;
  let shownAt = Number.NEGATIVE_INFINITY;
  let shownKind = '';
  let beating: Heartbeat | undefined;
  // A stage that is one long computation with nothing to count (assembling, preparing the reports) is
  // named as it starts when the run is large enough for it to take seconds.
  let large = false;
  const show = (line: string, kind = line) => {
    shownAt = now();
    shownKind = kind;
    stream.write(tty ? `\r\u001b[2K${style(color, 'dim', line)}` : `${line}\n`);
    if (large) startBeating();
    beating?.shown(line);
  };
  let canBeat = heartbeat !== undefined;
  const startBeating = () => {
    if (beating || !canBeat) return;
    try {
      beating = heartbeat!();
    } catch {
      // No worker thread to be had (resource limits): the progress lines go on without the repeats.
      canBeat = false;
    }
  };
  // Steps inside a stage come by the thousand on a big run: a count is shown only after a quiet second,
  // a step of another kind (its `kind`) after half a second, so a log gets at most two lines a second.
  const step = (line: string, kind: string) => {
    const quiet = now() - shownAt;
    if (quiet >= STEP_INTERVAL_MS || (kind !== shownKind && quiet >= NEW_STEP_INTERVAL_MS)) show(line, kind);
    else beating?.latest(line);
  };
  const stage = (line: string) => (large ? show(line) : step(line, line));
  return (event) => {
    if (event.stage === 'reading' && event.routes) startBeating();
    if (event.stage === 'loading') show('loading and validating the inputs…');
    else if (event.stage === 'reading')
      step(
        `reading ${t(event.file)} (${countText(event.index)}/${countText(event.total)})${event.phase ? `: ${PHASE_TEXT[event.phase]}` : ''}${of(event.routes, 'routes')}${percent(event.read, event.phase ? '' : ' read')}…`,
        `reading ${event.file} ${event.phase ?? (event.routes ? 'routes' : '')}`,
      );
    else if (event.stage === 'cross-checking')
      step(`checking references, ownership and consistency across the inputs${of(event.routes, 'routes')}…`, 'cross');
    else if (event.stage === 'loaded') {
      large = event.routes >= LARGE_RUN_ROUTES;
      show(`loaded ${countText(event.routes)} route(s); auditing ${countText(event.operators)} operator(s)…`);
    } else if (event.stage === 'enriching')
      step(`auditing ${t(event.operatorId)}: resolving carriers and routes${of(event.routes, 'routes')}…`, 'enriching');
    else if (event.stage === 'evaluating')
      step(
        `auditing ${t(event.operatorId)}: control ${countText(event.done + 1)}/${countText(event.total)} (${t(event.control)})${of(event.subjects, 'subjects')}…`,
        `evaluating ${event.operatorId} ${event.control}`,
      );
    else if (event.stage === 'listing')
      step(
        `auditing ${t(event.operatorId)}: listing the routes for the reports${of(event.routes, 'routes')}…`,
        'listing',
      );
    else if (event.stage === 'locating')
      step(
        `auditing ${t(event.operatorId)}: locating findings in the inputs${of(event.locations, 'occurrences')}…`,
        'locating',
      );
    else if (event.stage === 'operator') {
      const c = countStatuses(event.outcome.findings);
      show(
        `audited ${t(event.outcome.operatorId)} (${countText(event.done)}/${countText(event.total)}): ${countText(c.fail)} failed, ${countText(c.error)} errors`,
      );
    } else if (event.stage === 'assembling') stage('assembling the findings of every operator…');
    else if (event.stage === 'preparing') stage('preparing the reports…');
    else if (event.stage === 'writing') show(`writing ${event.format} (${event.index}/${event.total})…`);
    else if (event.stage === 'writing-file')
      step(`writing ${event.format}: ${t(event.file)}, ${amount(event)}…`, `writing ${event.file}`);
    else {
      // done: the summary follows, and nothing may be repeated into it (writing the reports starts another).
      beating?.stop();
      beating = undefined;
      if (tty) stream.write('\r\u001b[2K');
    }
  };
}

const PHASE_TEXT: Record<LoadPhase, string> = {
  reading: 'reading the bytes',
  checking: 'hashing and checking the encoding',
  scanning: 'scanning the lines',
  splitting: 'finding where each route starts',
  validating: 'validating the documents',
};

/** ", 400,000 of 1,000,000 routes" for a step under way, or nothing. */
function of(progress: StepCount | undefined, noun: string): string {
  return progress ? `, ${countText(progress.done)} of ${countText(progress.total)} ${noun}` : '';
}

/** ", 45 % read" for a file read part of the way (", 45 %" into a phase), or nothing. */
function percent(progress: StepCount | undefined, what: string): string {
  return progress && progress.total > 0 ? `, ${Math.floor((100 * progress.done) / progress.total)} %${what}` : '';
}

/**
 * How far a file is: megabytes or rows so far, the page being drawn, or the occurrences matched to routes
 * before it. A log keeps these lines, so each reads as a point on the way ("page 2"), not as the file's
 * size: a 24-page report shown at "2 pages" looked like a 2-page report.
 */
function amount(progress: WriteProgress): string {
  if (progress.unit === 'bytes') return `${countText(Math.round(progress.done / 2 ** 20))} MB so far`;
  if (progress.unit === 'occurrences') return `matching failures to routes, ${countText(progress.done)} occurrences`;
  if (progress.unit === 'rows') return `${countText(progress.done)} ${progress.done === 1 ? 'row' : 'rows'} so far`;
  return `page ${countText(progress.done)}`;
}

/** Verdicts per status, one per occurrence (subject), as the summary counts them: not one per cause. */
function countStatuses(findings: readonly Finding[]): Record<string, number> {
  const counts: Record<string, number> = { fail: 0, error: 0 };
  for (const f of findings) counts[f.status] = (counts[f.status] ?? 0) + f.occurrences.length;
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
