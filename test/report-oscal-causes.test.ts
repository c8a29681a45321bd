import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergedByCause, nationalScale } from './support/causes.js';
import type { Finding } from '../src/model/finding.js';
import type { AuditReport } from '../src/model/report.js';
import { packageRoot } from '../src/paths.js';
import {
  ASSESSMENT_RESULTS_FILE,
  assessmentResults,
  assessmentResultsJson,
  oscalReporter,
} from '../src/report/oscal/index.js';
import {
  MAX_DOCUMENT_SUBJECTS,
  MAX_OBSERVATION_SUBJECTS,
  occurrencesSentence,
  subjectsPerObservation,
} from '../src/report/oscal/mapping.js';
import type { OscalAssessmentResults, OscalObservation, OscalResult } from '../src/report/oscal/types.js';
import { documentHref, isUri, isUriReference } from '../src/report/uri.js';
import { auditReport } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { REGULATOR } from './support/run.js';
import { presentationOf } from '../src/report/view/index.js';
import { isDateTime } from './support/consumers.mjs';

// Issue 15: one OSCAL observation per cause with its occurrences as subjects (at most
// MAX_OBSERVATION_SUBJECTS), passing and not-applicable subjects summed up per operator and control,
// links to inputs that resolve from the document.

let validate: ReturnType<Ajv['compile']>;
let samples: AuditReport;
let grouped: AuditReport;

beforeAll(() => {
  const ajv = new Ajv({ allErrors: true });
  ajv.addFormat('date-time', isDateTime);
  ajv.addFormat('uri', isUri);
  ajv.addFormat('uri-reference', isUriReference);
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
  validate = ajv.compile(
    JSON.parse(
      readFileSync(join(packageRoot, 'test', 'fixtures', 'schemas', 'oscal_assessment-results_schema.json'), 'utf8'),
    ),
  );
  samples = auditReport(['inputs'], REGULATOR);
  grouped = mergedByCause(samples);
});

/** Valid against the official schema, and every uuid it refers to (and every `#uuid` link) defined in it. */
function expectValidWithReferences(doc: OscalAssessmentResults): void {
  const text = JSON.stringify(doc, null, 2);
  expect(validate(JSON.parse(text)), JSON.stringify(validate.errors?.slice(0, 5), null, 1)).toBe(true);
  const uuids = [...text.matchAll(/"uuid": "([^"]+)"/g)].map((m) => m[1]);
  expect(new Set(uuids).size).toBe(uuids.length);
  const defined = new Set(uuids);
  for (const m of text.matchAll(/"(?:subject-uuid|actor-uuid|observation-uuid|risk-uuid|component-uuid)": "([^"]+)"/g))
    expect(defined.has(m[1]), m[0]).toBe(true);
  for (const m of text.matchAll(/"href": "#([^"]+)"/g)) expect(defined.has(m[1]), m[0]).toBe(true);
}

const prop = (o: { props?: Array<{ name: string; value: string }> }, name: string) =>
  o.props?.find((p) => p.name === name)?.value;

function problemObservation(result: OscalResult, finding: Finding): OscalObservation {
  const found = result.observations!.filter(
    (o) => prop(o, 'fingerprint') === finding.fingerprint && prop(o, 'control') === finding.control,
  );
  expect(found).toHaveLength(1);
  return found[0];
}

describe('OSCAL: one observation per cause, passing subjects summed up', () => {
  it('lists a cause’s occurrences as the subjects of its one observation, and its files as evidence', () => {
    const doc = assessmentResults(grouped);
    expectValidWithReferences(doc);
    const result = doc['assessment-results'].results[0];
    const problems = grouped.result.findings.filter((f) =>
      ['fail', 'waived', 'not-evidenced', 'error'].includes(f.status),
    );
    const multi = problems.filter((f) => f.occurrences.length > 1);
    expect(multi.length).toBeGreaterThan(0);
    for (const f of multi) {
      const occurrences = f.occurrences;
      const observation = problemObservation(result, f);
      expect(observation.subjects.map((s) => prop(s, 'subject'))).toEqual(occurrences.map((o) => o.subject));
      expect(observation.subjects.map((s) => prop(s, 'fingerprint'))).toEqual(occurrences.map((o) => o.fingerprint));
      expect(observation.subjects.map((s) => prop(s, 'location'))).toEqual(
        occurrences.map((o) =>
          o.location.line > 0 ? `${o.location.file}:${o.location.line}:${o.location.column}` : o.location.file,
        ),
      );
      expect(prop(observation, 'occurrences')).toBe(String(occurrences.length));
      expect(observation.description).toBe(
        `${f.message} Found at ${occurrences.length} subjects of ${f.operator}, each a subject of this observation.`,
      );
      // One evidence entry per file the occurrences are in, the first with the excerpt.
      const files = [...new Set(occurrences.map((o) => o.location.file))];
      expect(observation['relevant-evidence']!.map((e) => prop(e, 'file'))).toEqual(files);
      // Its risk says how many subjects share it.
      const risk = result.risks!.find((r) => r['related-observations'][0]['observation-uuid'] === observation.uuid)!;
      expect(risk.statement).toContain(`${f.subject} and ${occurrences.length - 1} other subject(s) of operator`);
    }
    // Grouping changes no verdict: each objective and each summary count is the same as with the engine's causes.
    const before = assessmentResults(samples)['assessment-results'].results[0];
    const targets = (r: OscalResult) => new Map(r.findings!.map((f) => [f.uuid, f.target.status]));
    expect(targets(result)).toEqual(targets(before));
    const counts = (r: OscalResult) =>
      new Map(r.observations!.filter((o) => prop(o, 'count')).map((o) => [o.uuid, prop(o, 'count')]));
    expect(counts(result)).toEqual(counts(before));
    expect(result.observations).toHaveLength(problems.length + counts(result).size);
  });

  it('sums up passing and not-applicable subjects in one observation per operator, control and status', () => {
    const result = assessmentResults(samples)['assessment-results'].results[0];
    const summaries = result.observations!.filter((o) => prop(o, 'count'));
    const expected = new Map<string, number>();
    for (const f of samples.result.findings) {
      if (f.status !== 'pass' && f.status !== 'not-applicable') continue;
      const key = `${f.operator} ${f.control} ${f.status}`;
      expected.set(key, (expected.get(key) ?? 0) + f.occurrences.length);
    }
    expect(
      new Map(
        summaries.map((o) => [
          `${prop(o, 'operator')} ${prop(o, 'control')} ${prop(o, 'status')}`,
          Number(prop(o, 'count')),
        ]),
      ),
    ).toEqual(expected);
    // Their total is the run's: the summary counts occurrences.
    const total = [...expected.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(samples.result.summary.byStatus.pass + samples.result.summary.byStatus['not-applicable']);
    for (const o of summaries) expect(o.types).toEqual(['control-objective']);
  });

  it('stays bounded at national scale: at most 100 subjects an observation, the total in props and description', () => {
    const big = nationalScale(samples);
    const text = assessmentResultsJson(big);
    const doc = JSON.parse(text) as OscalAssessmentResults;
    expectValidWithReferences(doc);
    const result = doc['assessment-results'].results[0];
    const problems = result.observations!.filter((o) => o.types[0] === 'finding');
    expect(problems).toHaveLength(50);
    for (const o of problems) {
      expect(o.subjects).toHaveLength(MAX_OBSERVATION_SUBJECTS);
      expect(prop(o, 'occurrences')).toBe('400');
      expect(prop(o, 'occurrences-listed')).toBe('100');
      expect(o.description).toMatch(
        /Found at 400 subjects of \S+: the first 100 are the subjects of this observation, findings\.json lists all 400\.$/,
      );
      expect(o['relevant-evidence']).toHaveLength(1);
      expect(o['relevant-evidence']![0].description).toMatch(/\(the first of 400 occurrences in this file\)$/);
    }
    const [passed] = result.observations!.filter((o) => prop(o, 'count'));
    expect(prop(passed, 'count')).toBe('20000');
    expect(passed.title).toMatch(/20,000 subject\(s\)$/);
    expect(text.length).toBeLessThan(5_000_000);
  });

  it('bounds the subjects of the whole document: with a sector’s thousands of causes each lists fewer', () => {
    // The sector bench (50 operators × 20,000 routes, 20,254 causes that need attention) listed 714,537
    // subjects at 100 a cause: a 796 MB document, longer than a Node string can be.
    // (Schema and references: the test above; the document has the same structure, with fewer subjects.)
    const big = nationalScale(samples, 30_000, 1_000);
    const doc = JSON.parse(assessmentResultsJson(big)) as OscalAssessmentResults;
    const result = doc['assessment-results'].results[0];
    const problems = result.observations!.filter((o) => o.types[0] === 'finding');
    expect(problems).toHaveLength(1_000);
    for (const o of problems) {
      expect(o.subjects).toHaveLength(25);
      expect(prop(o, 'occurrences')).toBe('30');
      expect(prop(o, 'occurrences-listed')).toBe('25');
      expect(o.description).toMatch(
        /: the first 25 are the subjects of this observation, findings\.json lists all 30\.$/,
      );
    }
    for (const r of result.risks!) {
      expect(prop(r, 'occurrences-listed')).toBe('25');
      expect(r.description).toMatch(
        /: the first 25 are the subjects of the related observation, findings\.json lists all 30\.$/,
      );
    }
    const subjects = problems.reduce((n, o) => n + o.subjects.length, 0);
    expect(subjects).toBeLessThanOrEqual(MAX_DOCUMENT_SUBJECTS);
  });

  it('shares the document’s subjects out evenly, at least one an observation', () => {
    expect(subjectsPerObservation(0)).toBe(MAX_OBSERVATION_SUBJECTS);
    expect(subjectsPerObservation(250)).toBe(100);
    expect(subjectsPerObservation(251)).toBe(99);
    expect(subjectsPerObservation(20_254)).toBe(1);
    expect(subjectsPerObservation(1_000_000)).toBe(1);
    const [failing] = nationalScale(samples, 3, 1).result.findings;
    expect(occurrencesSentence(failing, 1)).toMatch(
      /: the first is the subject of this observation, findings\.json lists all 3\.$/,
    );
  });
});

describe('OSCAL links to inputs resolve relative to the document', () => {
  it('links submissions by their path from the document’s folder, shipped files by file: URL, each to the file audited', () => {
    const out = resolve('out-oscal-links-test');
    const doc = assessmentResults(samples, { documentDir: out });
    expectValidWithReferences(doc);
    const documentUrl = pathToFileURL(join(out, ASSESSMENT_RESULTS_FILE));
    const resources = doc['assessment-results']['back-matter']!.resources;
    const hrefs = new Map(resources.map((r) => [r.title, r.rlinks![0].href]));
    expect(hrefs.get('inputs/jp-sakura/routing-ss7.yaml')).toBe('../inputs/jp-sakura/routing-ss7.yaml');
    expect(hrefs.get('ixaudit:registry/carriers.yaml')).toBe(
      pathToFileURL(join(packageRoot, 'registry', 'carriers.yaml')).href,
    );
    for (const r of resources) {
      const file = fileURLToPath(new URL(r.rlinks![0].href, documentUrl));
      expect(createHash('sha256').update(readFileSync(file)).digest('hex'), r.title).toBe(
        r.rlinks![0].hashes![0].value,
      );
    }
    // Written in the working directory, they are the input names themselves.
    const here = assessmentResults(samples)['assessment-results']['back-matter']!.resources;
    expect(here.find((r) => r.title === 'inputs/jp-sakura/routing-ss7.yaml')!.rlinks![0].href).toBe(
      'inputs/jp-sakura/routing-ss7.yaml',
    );
  });

  it('makes relative paths percent-encoded URI references, and knows where a published file ends up', () => {
    expect(documentHref('inputs/さくら/a b.yaml', '/w/out', '/w')).toBe(
      '../inputs/%E3%81%95%E3%81%8F%E3%82%89/a%20b.yaml',
    );
    expect(documentHref('inputs/a.yaml', '/w', '/w')).toBe('inputs/a.yaml');
    expect(documentHref('a:b.yaml', '/w/x/y', '/w')).toBe('../../a%3Ab.yaml');
    expect(documentHref('/elsewhere/t.yaml', '/w/out', '/w')).toBe('file:///elsewhere/t.yaml');
    expect(isUriReference(documentHref('inputs/さくら/a b.yaml', '/w/out', '/w'))).toBe(true);
  });

  it('the reporter links from where its files end up (ReportOptions.publishedDir), not from the staging folder', async () => {
    const out = tempFiles({});
    const staging = join(out, '.ixaudit-staging-abc123');
    mkdirSync(staging);
    const written = (dir: string) => readFileSync(join(dir, ASSESSMENT_RESULTS_FILE), 'utf8');
    await oscalReporter.write(presentationOf(samples), staging, { publishedDir: out });
    expect(written(staging)).toBe(assessmentResultsJson(samples, { documentDir: out }));
    const alone = tempFiles({});
    await oscalReporter.write(presentationOf(samples), alone, {});
    expect(written(alone)).toBe(assessmentResultsJson(samples, { documentDir: alone }));
  });
});
