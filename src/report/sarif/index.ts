import { join } from 'node:path';
import type { Finding } from '../../model/finding.js';
import type { AuditReport } from '../../model/report.js';
import type { Reporter } from '../types.js';
import { writeChunksAtomic } from '../write-atomic.js';
import { materialize, prettyJsonChunks, type JsonPath } from '../json-stream.js';
import {
  absentResultFor,
  leftSarif,
  notificationDescriptors,
  removedResultFor,
  notificationFor,
  resultFor,
  ruleFor,
  ruleForUnlisted,
  SARIF_STATUSES,
  waiverKey,
  type ResultContext,
  type WaiverSource,
} from './mapping.js';
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

/** Lists that can be huge: written element by element. */
const STREAMED: JsonPath[] = [
  ['runs', '*', 'results'],
  ['runs', '*', 'invocations', '*', 'toolExecutionNotifications'],
];

/**
 * The run as one SARIF 2.1.0 log: one rule per control in force, one result per finding that needs attention.
 * links: the project's web addresses (informationUri, rules' helpUri); by default from package.json.
 */
function sarifDocument(report: AuditReport, links: SarifLinks): LazySarifLog {
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
  const context: ResultContext = {
    ruleIndex,
    artifactIndex,
    waivers,
    notEvidencedIsFailure: result.run.profile.parameters.notEvidencedIsFailure === true,
  };
  const previousAuditDate = result.baseline?.previousAuditDate ?? '';
  const profile = result.run.profile;

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
            toolExecutionNotifications: result.errors.map((d) => notificationFor(d, artifactIndex)),
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
        // Current results first (findings order); then, with --baseline, what the previous run had and this one has not.
        results: (function* () {
          for (const finding of reported) yield resultFor(finding, context);
          for (const finding of gone) yield absentResultFor(finding, previousAuditDate, context);
          for (const r of removed) yield removedResultFor(r, previousAuditDate, context);
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
        },
      },
    ],
  };
}

/** The run as one SARIF 2.1.0 log, every list an array. */
export function sarifLog(report: AuditReport, links: SarifLinks = defaultSarifLinks()): SarifLog {
  return materialize<SarifLog>(sarifDocument(report, links));
}

/** findings.sarif piece by piece: exactly JSON.stringify(sarifLog(report), null, 2) and a newline, never one huge string. */
export function* sarifJsonChunks(report: AuditReport, links: SarifLinks = defaultSarifLinks()): Generator<string> {
  yield* prettyJsonChunks(sarifDocument(report, links), STREAMED);
  yield '\n';
}

export function sarifJson(report: AuditReport, links: SarifLinks = defaultSarifLinks()): string {
  return [...sarifJsonChunks(report, links)].join('');
}

export const sarifReporter: Reporter = {
  name: 'sarif',
  async write(report, outDir) {
    const path = join(outDir, SARIF_FILE);
    writeChunksAtomic(path, sarifJsonChunks(report));
    return [path];
  },
};
