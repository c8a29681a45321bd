import { join } from 'node:path';
import type { Finding } from '../../model/finding.js';
import type { AuditReport, BaselineComparison } from '../../model/report.js';
import type { Severity } from '../../model/types.js';
import type { Reporter } from '../types.js';
import { writeChunksAtomic } from '../write-atomic.js';
import { fileProgress } from '../progress.js';
import { materialize, prettyJsonChunks, type JsonPath } from '../json-stream.js';
import {
  absentResultFor,
  leftSarif,
  notificationDescriptors,
  removedResultFor,
  notificationFor,
  resultFor,
  resultRank,
  resultsOmittedNotification,
  ruleFor,
  ruleForUnlisted,
  SARIF_STATUSES,
  waiverKey,
  type OmittedResults,
  type ResultContext,
  type WaiverSource,
} from './mapping.js';
import { locationsPerResult, MAX_RESULTS_PER_RUN } from './limits.js';
import type { SarifArtifact, SarifLog, SarifResult, SarifRule, SarifRun } from './types.js';
import { artifactUri, IXAUDIT_BASE, WORKING_DIR_BASE } from '../uri.js';
import { defaultSarifLinks, type SarifLinks } from './links.js';

export const SARIF_FILE = 'findings.sarif';
/** The official schema's own id (OASIS SARIF 2.1.0 errata 01). */
export const SARIF_SCHEMA_URI =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** The remediation text of each control, taken from its findings (the same for every finding of a control). */
function remediationByControl(findings: readonly Finding[]): Map<string, string> {
  const byControl = new Map<string, string>();
  for (const f of findings) if (!byControl.has(f.control)) byControl.set(f.control, f.remediation);
  return byControl;
}

/** A SARIF log whose results are built one at a time as they are written (see json-stream.ts). */
type LazySarifLog = Omit<SarifLog, 'runs'> & {
  runs: Array<Omit<SarifRun, 'results'> & { results: Iterable<SarifResult> }>;
};

/** A result to write, built only when written; absent and severity decide what is kept at the limit. */
export interface PendingResult {
  absent: boolean;
  severity: Severity;
  build: () => SarifResult;
}

/**
 * The results to write, at most `limit`: all when they fit; else the `limit` of lowest resultRank
 * (current before absent, most severe first, then in order), still in their order, and what was left out.
 */
export function keepWithinLimit(
  pending: readonly PendingResult[],
  limit: number = MAX_RESULTS_PER_RUN,
): { kept: PendingResult[]; omitted?: OmittedResults } {
  if (pending.length <= limit) return { kept: [...pending] };
  const order = pending.map((p, i) => ({ rank: resultRank(p.absent, p.severity), i }));
  order.sort((a, b) => a.rank - b.rank || a.i - b.i);
  const keep = new Set(order.slice(0, limit).map((o) => o.i));
  const omitted: OmittedResults = { total: pending.length, kept: limit, bySeverity: {}, absent: 0 };
  for (const [i, p] of pending.entries()) {
    if (keep.has(i)) continue;
    if (p.absent) omitted.absent++;
    else omitted.bySeverity[p.severity] = (omitted.bySeverity[p.severity] ?? 0) + 1;
  }
  return { kept: pending.filter((_, i) => keep.has(i)), omitted };
}

/** Removed subjects (BaselineComparison.removed) by operator and control, in order of first appearance. */
function removedByCause(removed: BaselineComparison['removed']): Array<BaselineComparison['removed']> {
  const groups = new Map<string, BaselineComparison['removed']>();
  for (const r of removed) {
    const key = `${r.operator}\u0000${r.control}`;
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()];
}

/** Lists that can be huge: written element by element. */
const STREAMED: JsonPath[] = [
  ['runs', '*', 'results'],
  ['runs', '*', 'invocations', '*', 'toolExecutionNotifications'],
];

/**
 * The run as one SARIF 2.1.0 log: one rule per control in force, one result per finding (cause) that needs
 * attention, its occurrences as locations; at most MAX_RESULTS_PER_RUN results (see keepWithinLimit).
 * links: the project's web addresses (informationUri, rules' helpUri); by default from package.json.
 */
function sarifDocument(report: AuditReport, links: SarifLinks, limit: number): LazySarifLog {
  const { result } = report;
  const remediation = remediationByControl(result.findings);
  const rules: SarifRule[] = result.controls.map((control) => ruleFor(control, remediation.get(control.id), links));
  const ruleIndex = new Map(rules.map((rule, i) => [rule.id, i]));
  const reported = result.findings.filter((f) => SARIF_STATUSES.has(f.status));
  const gone = result.findings.filter(leftSarif);
  const removed = result.baseline?.removed ?? [];
  for (const finding of [...reported, ...gone, ...removed]) {
    if (ruleIndex.has(finding.control)) continue;
    ruleIndex.set(finding.control, rules.length);
    rules.push(ruleForUnlisted(finding, links));
  }

  const artifactIndex = new Map(result.run.inputs.map((input, i) => [input.file, i]));
  const artifacts: SarifArtifact[] = result.run.inputs.map((input) => ({
    location: artifactUri(input.file),
    length: input.bytes,
    hashes: { 'sha-256': input.sha256 },
    roles: ['analysisTarget'],
  }));
  const waivers = new Map<string, WaiverSource>(result.waivers.map((w) => [waiverKey(w.operator, w.id), w]));
  const removedGroups = removedByCause(removed);
  // The run's locations are bounded as a whole, not per result: a sector run has thousands of causes.
  const results = Math.min(limit, reported.length + gone.length + removedGroups.length);
  const context: ResultContext = {
    ruleIndex,
    artifactIndex,
    waivers,
    notEvidencedIsFailure: result.run.profile.parameters.notEvidencedIsFailure === true,
    locationsPerResult: locationsPerResult(results),
  };
  const previousAuditDate = result.baseline?.previousAuditDate ?? '';
  const profile = result.run.profile;
  // Current results first (findings order); then, with --baseline, what the previous run had and this one has not.
  const { kept, omitted } = keepWithinLimit(
    [
      ...reported.map((f) => ({ absent: false, severity: f.severity, build: () => resultFor(f, context) })),
      ...gone.map((f) => ({
        absent: true,
        severity: f.severity,
        build: () => absentResultFor(f, previousAuditDate, context),
      })),
      ...removedGroups.map((group) => ({
        absent: true,
        severity: group[0].severity,
        build: () => removedResultFor(group, previousAuditDate, context),
      })),
    ],
    limit,
  );

  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: result.run.tool.name,
            version: result.run.tool.version,
            semanticVersion: result.run.tool.version,
            ...(links.informationUri ? { informationUri: links.informationUri } : {}),
            rules,
            notifications: notificationDescriptors(),
            properties: { catalogVersion: result.run.catalog.version },
          },
        },
        // GitHub code scanning groups uploads by the id up to its last "/": one category per profile.
        automationDetails: {
          id: `ixaudit/${profile.id}/${result.run.auditDate}`,
          description: { text: `ixaudit audit with profile ${profile.id}, audit date ${result.run.auditDate}` },
        },
        originalUriBaseIds: {
          [WORKING_DIR_BASE]: {
            description: { text: 'The working directory ixaudit ran in; input paths are relative to it.' },
          },
          [IXAUDIT_BASE]: {
            description: { text: "ixaudit's package folder: the shipped carrier registry and profiles." },
          },
        },
        invocations: [
          {
            // An operator whose audit crashed gets an ICX-ENGINE error finding; every other problem is the input's.
            executionSuccessful: !result.findings.some((f) => f.control === 'ICX-ENGINE'),
            toolExecutionNotifications: [
              ...result.errors.map((d) => notificationFor(d, artifactIndex)),
              ...(omitted ? [resultsOmittedNotification(omitted)] : []),
            ],
            properties: {
              auditDate: result.run.auditDate,
              auditDateSource: result.run.auditDateSource,
              profile: profile.id,
              failOn: profile.failOn,
            },
          },
        ],
        artifacts,
        columnKind: 'utf16CodeUnits',
        results: (function* () {
          for (const pending of kept) yield pending.build();
        })(),
        properties: {
          auditDate: result.run.auditDate,
          catalogVersion: result.run.catalog.version,
          profile: { id: profile.id, chain: profile.chain, failOn: profile.failOn, disabled: profile.disabled },
          result: result.summary.result,
          operators: result.summary.operators.map((o) => ({
            id: o.id,
            name: o.name,
            country: o.country,
            result: o.result,
            incomplete: o.incomplete,
          })),
          ...(omitted
            ? { resultsOmitted: { total: omitted.total, kept: omitted.kept, omitted: omitted.total - omitted.kept } }
            : {}),
        },
      },
    ],
  };
}

/** The run as one SARIF 2.1.0 log, every list an array. limit: results per run (GitHub's, unless a test sets one). */
export function sarifLog(
  report: AuditReport,
  links: SarifLinks = defaultSarifLinks(),
  limit: number = MAX_RESULTS_PER_RUN,
): SarifLog {
  return materialize<SarifLog>(sarifDocument(report, links, limit));
}

/** findings.sarif piece by piece: exactly JSON.stringify(sarifLog(report), null, 2) and a newline, never one huge string. */
export function* sarifJsonChunks(
  report: AuditReport,
  links: SarifLinks = defaultSarifLinks(),
  limit: number = MAX_RESULTS_PER_RUN,
): Generator<string> {
  yield* prettyJsonChunks(sarifDocument(report, links, limit), STREAMED);
  yield '\n';
}

export function sarifJson(
  report: AuditReport,
  links: SarifLinks = defaultSarifLinks(),
  limit: number = MAX_RESULTS_PER_RUN,
): string {
  return [...sarifJsonChunks(report, links, limit)].join('');
}

export const sarifReporter: Reporter = {
  name: 'sarif',
  async write({ report }, outDir, options) {
    const path = join(outDir, SARIF_FILE);
    writeChunksAtomic(path, sarifJsonChunks(report), fileProgress(options, outDir, path, 'bytes'));
    return [path];
  },
};
