import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { compareText } from '../../model/order.js';
import type { AuditReport, ControlSummary } from '../../model/report.js';
import type { Reporter } from '../types.js';
import { findingsJsonChunks } from '../json/index.js';
import { hashRegularFile } from '../manifest.js';
import { FINDINGS_JSON_NAME } from '../paths.js';
import { materialize, prettyJsonChunks, type JsonPath } from '../json-stream.js';
import { writeChunksAtomic, writeFileAtomic } from '../write-atomic.js';
import { fileProgress } from '../progress.js';
import {
  assessmentAssets,
  auditTimestamp,
  findingFor,
  hasRisk,
  inputResource,
  localObjective,
  observationFor,
  subjectsPerObservation,
  OSCAL_VERSION,
  oneLine,
  partyFor,
  partyUuid,
  prop,
  reviewedControls,
  riskFor,
  statusSummaries,
  summaryObservationFor,
  type ControlVerdicts,
  type HrefBase,
} from './mapping.js';
import type {
  OscalAssessmentPlan,
  OscalAssessmentResults,
  OscalMetadata,
  OscalObservation,
  OscalResult,
  OscalRisk,
} from './types.js';
import { ixauditUuid } from './uuid.js';
import { unlistedControl } from '../unlisted-control.js';

export const ASSESSMENT_RESULTS_FILE = 'assessment-results.json';
export const ASSESSMENT_PLAN_FILE = 'assessment-plan.json';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The controls in force, plus any control a finding names that the catalog does not list. */
function controlsOf(report: AuditReport): ControlSummary[] {
  const controls = [...report.result.controls];
  const known = new Set(controls.map((c) => c.id));
  for (const f of report.result.findings) {
    if (known.has(f.control)) continue;
    known.add(f.control);
    controls.push(unlistedControl(f));
  }
  return controls;
}

function metadata(report: AuditReport, title: string): OscalMetadata {
  const { run, summary } = report.result;
  return {
    title,
    'last-modified': auditTimestamp(run.auditDate),
    version: run.tool.version,
    'oscal-version': OSCAL_VERSION,
    props: [
      ...prop('tool', `${run.tool.name} ${run.tool.version}`),
      ...prop('catalog-version', run.catalog.version),
      ...prop('profile', run.profile.id),
      ...prop('audit-date', run.auditDate),
      ...prop('audit-date-source', run.auditDateSource),
    ],
    ...(summary.operators.length ? { parties: summary.operators.map(partyFor) } : {}),
  };
}

/**
 * The minimal assessment plan the results import: the controls in force with one objective each, the
 * operators as the subjects, ixaudit as the assessment platform. No OSCAL system security plan exists
 * for an operator's interconnect, so import-ssp points at a back-matter resource describing the
 * submissions that stand in for one.
 */
export function assessmentPlan(report: AuditReport): OscalAssessmentPlan {
  const { run, summary } = report.result;
  const controls = controlsOf(report);
  const submissions = {
    uuid: ixauditUuid('resource', 'submissions', run.auditDate),
    title: 'Operator submissions',
    description: `The YAML submissions of ${summary.operators.map((o) => o.id).join(', ') || 'no operator'} (operators, carriers, agreements, routing tables, firewall policies, waivers), audited on ${run.auditDate}. Each file and its SHA-256 is listed in the assessment results' back-matter.`,
  };
  const digest = sha256(
    JSON.stringify({
      controls,
      operators: summary.operators.map((o) => o.id),
      profile: run.profile,
      auditDate: run.auditDate,
      tool: run.tool,
      catalog: run.catalog,
    }),
  );
  return {
    'assessment-plan': {
      uuid: ixauditUuid('assessment-plan', digest),
      metadata: metadata(
        report,
        oneLine(`ixaudit assessment plan: profile ${run.profile.id}, audit date ${run.auditDate}`),
      ),
      'import-ssp': {
        href: `#${submissions.uuid}`,
        remarks:
          'There is no OSCAL system security plan for an interconnect submission; the submissions themselves describe the systems assessed.',
      },
      'local-definitions': { 'objectives-and-methods': controls.map(localObjective) },
      'reviewed-controls': reviewedControls(controls),
      ...(summary.operators.length
        ? {
            'assessment-subjects': [
              {
                type: 'party' as const,
                description: 'The operators whose interconnect arrangements are audited.',
                'include-subjects': summary.operators.map((o) => ({
                  'subject-uuid': partyUuid(o.id),
                  type: 'party' as const,
                })),
              },
            ],
          }
        : {}),
      'assessment-assets': assessmentAssets(run.tool.version),
      'back-matter': { resources: [submissions] },
    },
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(key(item));
    if (list) list.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** Assessment results whose observations and risks are built one at a time as they are written (see json-stream.ts). */
type LazyAssessmentResults = {
  'assessment-results': Omit<OscalAssessmentResults['assessment-results'], 'results'> & {
    results: Array<
      Omit<OscalResult, 'observations' | 'risks'> & {
        observations?: Iterable<OscalObservation>;
        risks?: Iterable<OscalRisk>;
      }
    >;
  };
};

/** Lists that can be huge: written element by element. */
const STREAMED: JsonPath[] = [
  ['assessment-results', 'results', '*', 'observations'],
  ['assessment-results', 'results', '*', 'risks'],
  ['assessment-results', 'results', '*', 'findings'],
  ['assessment-results', 'back-matter', 'resources'],
];

/**
 * SHA-256 of the run's findings.json bytes, hashed piece by piece (a million-route run's findings.json
 * is larger than any one string may be): the content the results' UUIDs derive from.
 */
function runDigest(report: AuditReport, options: AssessmentResultsOptions): string {
  if (options.findingsDigest !== undefined) return options.findingsDigest;
  const hash = createHash('sha256');
  for (const chunk of findingsJsonChunks(report.result)) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * Where the assessment results are written, so links to inputs resolve from there (see documentHref);
 * by default the working directory. The reporter passes --out.
 */
export interface AssessmentResultsOptions {
  documentDir?: string;
  cwd?: string;
  /** SHA-256 of this run's findings.json when it is already written (see findingsDigestOf). */
  findingsDigest?: string;
}

function hrefBase(options: AssessmentResultsOptions): HrefBase {
  const cwd = options.cwd ?? process.cwd();
  return { documentDir: options.documentDir ?? cwd, cwd };
}

/**
 * The run as OSCAL assessment results: one result, with one observation per finding that needs attention
 * (a cause, its occurrences as subjects) and one per operator, control and status for passing and
 * not-applicable subjects; an OSCAL finding per operator and control; a risk per finding that needs attention.
 */
function assessmentResultsDocument(report: AuditReport, options: AssessmentResultsOptions): LazyAssessmentResults {
  const { run, summary, findings } = report.result;
  const base = hrefBase(options);
  const controls = controlsOf(report);
  const controlById = new Map(controls.map((c) => [c.id, c]));
  const inputs = new Map(run.inputs.map((i) => [i.file, i]));
  const notEvidencedIsFailure = run.profile.parameters.notEvidencedIsFailure === true;
  const digest = runDigest(report, options);

  const problems = findings.filter(hasRisk);
  // The document's subjects are bounded as a whole, not per observation: a sector run has thousands of causes.
  const perObservation = subjectsPerObservation(problems.length);
  const summaries = statusSummaries(findings, report.result.summarised ?? []);
  const observations = (function* () {
    for (const f of problems) yield observationFor(f, run.auditDate, inputs, base, perObservation);
    for (const g of summaries) yield summaryObservationFor(g, run.auditDate);
  })();
  const waiverById = new Map(report.result.waivers.map((w) => [`${w.operator}\u0000${w.id}`, w]));
  const risks = (function* () {
    for (const f of problems)
      yield riskFor(
        f,
        controlById.get(f.control)!,
        run.auditDate,
        f.waiver && waiverById.get(`${f.operator}\u0000${f.waiver.id}`),
        perObservation,
      );
  })();
  const key = (operator: string, control: string) => `${operator}\u0000${control}`;
  const problemsBy = groupBy(problems, (f) => key(f.operator, f.control));
  const summariesBy = groupBy(summaries, (g) => key(g.operator, g.control));
  const pairs = [...new Set([...problemsBy.keys(), ...summariesBy.keys()])].sort(compareText);
  const oscalFindings = pairs.map((pair) => {
    const [operator, control] = pair.split('\u0000');
    const verdicts: ControlVerdicts = { problems: problemsBy.get(pair) ?? [], summaries: summariesBy.get(pair) ?? [] };
    return findingFor(controlById.get(control)!, operator, verdicts, run.auditDate, notEvidencedIsFailure);
  });
  const counts = Object.entries(summary.byStatus)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  const operators = summary.operators.map((o) => `${o.id} ${o.result}`).join(', ');
  const notAudited = summary.operators.flatMap((o) => o.incomplete.slice(0, 5).map((reason) => `${o.id}: ${reason}`));

  return {
    'assessment-results': {
      uuid: ixauditUuid('assessment-results', digest),
      metadata: metadata(
        report,
        oneLine(`ixaudit assessment results: profile ${run.profile.id}, audit date ${run.auditDate}`),
      ),
      'import-ap': { href: ASSESSMENT_PLAN_FILE },
      results: [
        {
          uuid: ixauditUuid('result', digest),
          title: oneLine(`Audit of ${summary.operators.length} operator(s) on ${run.auditDate}`),
          description: `${run.tool.name} ${run.tool.version} audited the interconnect arrangements of ${summary.operators.length} operator(s) against catalog ${run.catalog.version} with profile ${run.profile.id} (fail on ${run.profile.failOn}). Overall: ${summary.result}${operators ? ` (${operators})` : ''}. Findings: ${counts || 'none'}. Input errors: ${summary.errors}.${notAudited.length > 0 ? ` Not audited: ${notAudited.join('; ')}.` : ''}`,
          start: auditTimestamp(run.auditDate),
          props: [
            ...prop('result', summary.result),
            ...prop('fail-on', run.profile.failOn),
            ...prop('input-errors', summary.errors),
          ],
          'local-definitions': { 'assessment-assets': assessmentAssets(run.tool.version) },
          'reviewed-controls': reviewedControls(controls),
          ...(problems.length + summaries.length > 0 ? { observations } : {}),
          ...(problems.length > 0 ? { risks } : {}),
          ...(oscalFindings.length ? { findings: oscalFindings } : {}),
        },
      ],
      ...(run.inputs.length ? { 'back-matter': { resources: run.inputs.map((i) => inputResource(i, base)) } } : {}),
    },
  };
}

/** The run as OSCAL assessment results, every list an array. */
export function assessmentResults(report: AuditReport, options: AssessmentResultsOptions = {}): OscalAssessmentResults {
  return materialize<OscalAssessmentResults>(assessmentResultsDocument(report, options));
}

/** assessment-results.json piece by piece: exactly JSON.stringify(assessmentResults(report), null, 2) and a newline. */
export function* assessmentResultsJsonChunks(
  report: AuditReport,
  options: AssessmentResultsOptions = {},
): Generator<string> {
  yield* prettyJsonChunks(assessmentResultsDocument(report, options), STREAMED);
  yield '\n';
}

export function assessmentResultsJson(report: AuditReport, options: AssessmentResultsOptions = {}): string {
  return [...assessmentResultsJsonChunks(report, options)].join('');
}

export function assessmentPlanJson(report: AuditReport): string {
  return `${JSON.stringify(assessmentPlan(report), null, 2)}\n`;
}

/**
 * SHA-256 of the findings.json the json reporter wrote earlier in this run, read back from the file:
 * hashing its bytes takes about a second at a million routes, where generating them again took most of
 * the OSCAL write. Undefined when this run writes no findings.json (then runDigest generates the bytes).
 */
function findingsDigestOf(artifacts: readonly string[], outDir: string): string | undefined {
  if (!artifacts.includes(FINDINGS_JSON_NAME)) return undefined;
  const hashed = hashRegularFile(join(outDir, FINDINGS_JSON_NAME), false);
  return 'sha256' in hashed ? hashed.sha256 : undefined;
}

export const oscalReporter: Reporter = {
  name: 'oscal',
  async write({ report, artifacts }, outDir, options) {
    const plan = join(outDir, ASSESSMENT_PLAN_FILE);
    const results = join(outDir, ASSESSMENT_RESULTS_FILE);
    writeFileAtomic(plan, assessmentPlanJson(report));
    const findingsDigest = findingsDigestOf(artifacts, outDir);
    writeChunksAtomic(
      results,
      assessmentResultsJsonChunks(report, { documentDir: options.publishedDir ?? outDir, findingsDigest }),
      fileProgress(options, outDir, results, 'bytes'),
    );
    return [plan, results];
  },
};
